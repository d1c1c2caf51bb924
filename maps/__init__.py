"""The geocode stage (`services`, over `geocoding/`), the map's rollup and the map, movement and
chart pages (`selectors/`, `views`)."""
