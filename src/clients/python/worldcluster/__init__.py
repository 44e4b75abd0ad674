"""Gymnasium-shaped Python client for WorldCluster worlds: reset/step, vectorised over the agent plane, forks (stdlib + numpy)."""

from .async_vector import AsyncVectorWorldEnv
from .autoreset import AutoresetMode
from .client import BatchStepError, StepOutcome, WorldClusterClient, WorldClusterError
from .env import WorldEnv
from .http_vector import HttpVectorWorldEnv
from .plane import AgentPlane, PlaneClosed, PlaneRefused
from .spaces import Box, Dict, Discrete, MultiBinary, MultiDiscrete
from .vector import VectorWorldEnv

__all__ = [
    "AgentPlane",
    "AsyncVectorWorldEnv",
    "AutoresetMode",
    "BatchStepError",
    "Box",
    "Dict",
    "Discrete",
    "HttpVectorWorldEnv",
    "MultiBinary",
    "MultiDiscrete",
    "PlaneClosed",
    "PlaneRefused",
    "StepOutcome",
    "VectorWorldEnv",
    "WorldClusterClient",
    "WorldClusterError",
    "WorldEnv",
]
__version__ = "0.1.0"
