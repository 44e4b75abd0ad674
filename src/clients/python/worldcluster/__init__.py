"""Gymnasium-shaped Python client for WorldCluster worlds: reset/step, vectorised over the agent plane, forks, live sessions (stdlib + numpy)."""

from .async_vector import AsyncVectorWorldEnv
from .autoreset import AutoresetMode
from .client import BatchStepError, StepOutcome, WorldClusterClient, WorldClusterError
from .env import WorldEnv
from .http_vector import HttpVectorWorldEnv
from .ivf import IvfWriter, write_ivf
from .plane import AgentPlane, PlaneClosed, PlaneRefused
from .session import SessionClosed, SessionFrame, WorldSession, decode_frame
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
    "IvfWriter",
    "MultiBinary",
    "MultiDiscrete",
    "PlaneClosed",
    "PlaneRefused",
    "SessionClosed",
    "SessionFrame",
    "StepOutcome",
    "VectorWorldEnv",
    "WorldClusterClient",
    "WorldClusterError",
    "WorldEnv",
    "WorldSession",
    "decode_frame",
    "write_ivf",
]
__version__ = "0.1.0"
