"""HTTP layer of the Hubei Cluster Atlas (FastAPI). It only asks `app`; it decides nothing itself."""
