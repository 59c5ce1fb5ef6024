"""The bundled data sets, as package data: ispterm finds ``demo.json`` here with
``importlib.resources``, in a checkout and in an installed wheel alike (see README.md)."""
