"""Teaching: predict before reveal, annotations and handouts."""
