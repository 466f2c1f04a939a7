"""Index sets into mediapipe's 478-point face mesh."""

import numpy as np

LIPS_OUTER = np.array([61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146])
LIPS_INNER = np.array([78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95])
LIPS = np.concatenate([LIPS_OUTER, LIPS_INNER])
# Upper/lower inner-lip pairs across the mouth; their mean gap is the opening.
INNER_GAP_PAIRS = np.array([[82, 87], [13, 14], [312, 317], [81, 178], [311, 402]])
# The face outline from one cheek, round the chin, to the other.
JAW = np.array([234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323, 454])
CHIN = 152
# Points that do not move when the person talks: eye corners, nose, upper cheeks.
STABLE = np.array([33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1, 98, 327, 50, 280, 116, 345, 9])
EYE_LEFT = np.array([33, 133])
EYE_RIGHT = np.array([362, 263])
# Just under the nose: the top edge of the region a mouth may replace.
UNDER_NOSE = np.array([2, 97, 326, 167, 393, 164])
# The mouth shape space: lips and the chin line (the jaw drops when the mouth opens).
SHAPE = np.concatenate([LIPS, JAW[5:16]])
# Region replaced when compositing a mouth: under the nose, the cheeks and the jaw.
LOWER_FACE = np.concatenate([UNDER_NOSE, np.array([205, 425, 207, 427, 187, 411, 50, 280]), JAW[1:-1], LIPS_OUTER])
