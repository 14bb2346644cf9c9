"""labecon_book: the machinery that makes the book from the library.

The chapter registry (:mod:`~labecon_book.chapters`), their execution
(:mod:`~labecon_book.execute`, :mod:`~labecon_book.kernels`), the cached parallel
build and its Sphinx integration (:mod:`~labecon_book.build`), the pages of
``labecon run`` (:mod:`~labecon_book.page`) and the ``labecon`` command
(:mod:`~labecon_book.cli`). It imports :mod:`labecon_core`; the library never
imports it.
"""
