"""Money: API quotes and speeds, the one cost model, options, horizon and uncertainty."""
