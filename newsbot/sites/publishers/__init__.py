"""Publisher profiles, one module per publisher, each exposing ``SITE``.

Every module in this package is a publisher (the registry in ``newsbot.sites`` lists
them by name): adding a portal means adding one module here and its fixtures under
``tests/fixtures/<name>/``. Shared building blocks (layout families, the generic
selector layout) live one level up, in ``newsbot.sites``.
"""
