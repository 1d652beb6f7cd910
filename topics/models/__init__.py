"""Models: token lists -> ``TopicModelResult``s, and what the models share.

``lda`` (gensim LDA) and ``clusters`` (embeddings -> UMAP -> clustering -> class-based
TF-IDF) are the two models; ``embed`` and ``projection`` make the document vectors and the
2-D map, ``ctfidf`` the topic words, ``autok`` the automatic topic count, ``naming`` the
topic names. ``spec`` says what a model declares to the rest of the program and
``registry`` lists the models; nothing outside a model's own module names it.
"""
