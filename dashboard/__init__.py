"""Hub Dashboard: disclosure-controlled figures for regional care hubs."""
