"""The HTTP API (FastAPI): the app factory, one router per resource, dependencies, schemas and problem details.

:func:`~greenproof.api.http.app.create_api` builds it; :func:`greenproof.api.create_app` adds the
dashboard. Routes only translate HTTP to the use cases of :mod:`greenproof.api.usecases`.
"""
