"""The score and link stages: indicators and the lead score (`scoring/`, `services`), linking ads
into networks (`linking/`, `stages`), and the network pages."""
