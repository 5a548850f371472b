"""The common-model synthesis document and its PDF rendering."""
