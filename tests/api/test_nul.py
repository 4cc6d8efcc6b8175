"""NUL characters: no database stores them as text, so they are refused up front, by name."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from timeline_api.services import tokens


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/events?q=spy%00", "q"),
        ("/v1/sources?q=%00", "q"),
        ("/v1/actors?q=a%00b", "q"),
        ("/v1/events?tag=red%00", "tag"),
    ],
)
def test_a_nul_in_a_parameter_is_a_400_naming_it(
    client: FlaskClient, path: str, parameter: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.json["errors"] == [
        {"parameter": parameter, "detail": "must not contain NUL characters"}
    ]


def test_a_nul_in_a_body_is_a_422_pointing_at_it(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        session = app.extensions["db_sessions"]()
        _record, token = tokens.create(session, "nul", "write")
        session.commit()
        session.close()
    response = client.post(
        "/v1/tags",
        json={"id": "nul-tag", "name": "Bad\x00name"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"pointer": "/name", "detail": "must not contain NUL characters"}
    ]
    assert client.get("/v1/tags/nul-tag").status_code == 404
