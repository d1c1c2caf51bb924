"""Reads for the maps, by page: grid (the map, the ads of a cell), movement, charts; filters holds
what they all start from (the rows the user may see, the viewport, the filters).

Everything starts from what the user may see (filters.visible_locations).
"""
