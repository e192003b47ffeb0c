"""Published pages as files: rendered once on publication, correction and withdrawal.

- `layout`: which URL paths are baked and the file each one is written to;
- `files`: atomic writes (temporary file and rename) with gzip/brotli variants, and removal;
- `baker`: renders paths through their own views and writes only what changed;
- `middleware`: answers a request from its file when there is one (the embedded default; in
  docker-compose nginx answers first, from the same directory).

What gets rebuilt follows django-bakery's split between an object's own pages (`build` and
`unbuild` of a detail view) and the pages related to it (`_build_related`: lists and feeds):
a publication or correction renders the issue's page in each language plus the site pages of
`layout.SITE_PAGES`; a withdrawal deletes the issue's files and renders the site pages again.
A file whose bytes did not change is not rewritten, so its mtime and ETag stay as they were.
"""
