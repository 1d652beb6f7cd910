"""Evaluate: quality scores of fitted models.

``scores`` holds coherence (NPMI, c_v, UMass), topic diversity and agreement with labels;
``stability`` refits a model with a second seed and counts the topics that come back.
"""
