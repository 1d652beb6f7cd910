"""Models: token lists -> ``TopicModelResult``s, and what the models share.

``lda`` (gensim LDA) and ``clusters`` (embeddings -> UMAP -> clustering -> class-based
TF-IDF) are the two models; ``embed`` and ``projection`` make the document vectors and the
2-D map, ``ctfidf`` the topic words, ``autok`` the automatic topic count, ``naming`` the
topic names.
"""
