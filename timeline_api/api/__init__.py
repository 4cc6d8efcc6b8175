"""The HTTP layer: one blueprint per resource, thin views over the query layer."""
