"""Review: rank every modelled document by how much it is worth a human look.

``ranking`` combines label suspicion (confident learning on out-of-fold predictions),
model disagreement, atypical documents and near-duplicates into one score with a reason.
"""
