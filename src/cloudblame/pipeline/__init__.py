"""Running the flow: ingest (worker processes normalize files into the store, then a publish derives),
sync (every source of a config, once or in a loop) and migrate (a store of an earlier cloudblame)."""
