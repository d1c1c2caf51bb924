"""Pages of the desk. Views read through selectors and write through services; every one audits.

htmx requests (header HX-Request) get the partial that changed: queue rows, the claim cell, the
triage panel. Without JavaScript every form still works as a plain POST and redirect. One module
per sub-domain: queue, items (one queue item), ad (the ad page, its images, search), cases,
watchlists (+ alerts).
"""
