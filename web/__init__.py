"""The HTTP/web entrypoint: the API, the browser workspace and the charts they share with the report."""
