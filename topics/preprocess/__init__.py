"""Preprocess: documents -> token lists over one shared vocabulary.

``tokens`` holds the filter chain (tokenize, stopwords, lemmas, phrases, document-frequency
filtering); ``language`` detects each document's language and picks the stopword lists.
"""
