"""The platform's one retrieval engine: BM25 over segmented text (zhengshu.text.segment.terms).

Generic: documents are ids and texts. Appeals (similar cases), the policy Q&A and the service guide
build their own index from their own records and keep it current."""

from zhengshu.search.bm25 import Bm25Index, Hit

__all__ = ["Bm25Index", "Hit"]
