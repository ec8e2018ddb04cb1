"""Getting photos in and processed, one module per stage (import from the module itself):

- ``files``: the studio's scratch folder, local copies of stored files, content hashes;
- ``ingest``: judging and storing one file or each photo of a ZIP;
- ``uploads``: chunked, resumable uploads that end in an ingest;
- ``processing``: thumbnails, watermarked previews and review copies;
- ``tagging``: photos to classes and students, by file name, by hand or from a CSV.
"""
