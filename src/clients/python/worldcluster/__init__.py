"""Gymnasium-shaped Python client for WorldCluster worlds: reset/step, vectorised, forks (stdlib + numpy)."""

from .client import BatchStepError, StepOutcome, WorldClusterClient, WorldClusterError
from .env import WorldEnv
from .spaces import Box, Discrete, MultiDiscrete
from .vector import VectorWorldEnv

__all__ = [
    "BatchStepError",
    "Box",
    "Discrete",
    "MultiDiscrete",
    "StepOutcome",
    "VectorWorldEnv",
    "WorldClusterClient",
    "WorldClusterError",
    "WorldEnv",
]
__version__ = "0.1.0"
