"""HTTP routes, one module per API surface; each module exposes a `ROUTES` list.

Handlers raise `AdapterError`; `adapter.api.errors` turns it into the OpenAI error shape.
Data flows one way: route -> translate -> transport -> translate -> route.
"""
