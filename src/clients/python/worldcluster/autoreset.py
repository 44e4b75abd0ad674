"""AutoresetMode: when a vector env resets a sub-env whose episode ended, with Gymnasium 1.x's names and values."""

from __future__ import annotations

from enum import Enum


class AutoresetMode(Enum):
    """Gymnasium's gymnasium.vector.AutoresetMode (same member names and values), for metadata["autoreset_mode"]."""

    NEXT_STEP = "NextStep"
    SAME_STEP = "SameStep"
    DISABLED = "Disabled"

    @staticmethod
    def parse(mode: AutoresetMode | str) -> AutoresetMode:
        """A mode from itself, its value ("NextStep") or its snake-case name ("next_step")."""
        if isinstance(mode, AutoresetMode):
            return mode
        for m in AutoresetMode:
            if mode in (m.value, m.name, m.name.lower()):
                return m
        raise ValueError(f"autoreset_mode must be next_step, same_step or disabled, not {mode!r}")
