"""Outbound channels, one folder each (`<name>/transport.py` with its settings and tests).

A folder's transport module defines `CHANNEL`, an instance of a `base.Channel` subclass;
`registry.discover()` finds every folder, so a new channel is one new folder.
"""
