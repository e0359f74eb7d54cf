"""The two things a booklet is made of: the encrypted MkDocs site and the encrypted PDF.

`site.py` is the only module that imports MkDocs, `pdf.py` the one that drives
WeasyPrint; `pdf_structure.py` checks what an encrypted PDF still shows. Only a build
imports this package: `livret check` must not pay for MkDocs or WeasyPrint.
"""
