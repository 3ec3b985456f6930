"""The reference engine: one true Mesa agent per client, for teaching and for docking (N ≤ 10⁴).

This is the readable, executable specification of a month (docs/ODD.md §8). Every client is a
:class:`ClientAgent` and every staff member a :class:`StaffMember`; their methods call the *same*
rule functions of :mod:`model.engine.phases` as the array engine (imported, never copied), one client at a
time on plain scalars. Only the glue around the rules (who is asked, in what order, where the
result is written) is written out here, as plain Python.

A month is the phases of :data:`model.engine.phases.PHASES`, in that order, each run over the agents with
Mesa's ``AgentSet.do``. A single ``step()`` per agent could not keep the design's rule that every
phase computes from the state as it stood when the phase began (a client's word of mouth must not
see a neighbour's half-finished month), so each phase is its own agent method.

Where the engines differ on purpose:

* **Random numbers.** Each agent draws from the model's one Mesa generator, in turn. The array
  engine draws one stream per (decision, month), keyed by the seed (``model.engine.randomness``). The two agree in distribution, not draw for draw
  (the docking test, ``tests/test_docking.py``, checks that).
* **Staff budgets.** Each staff member walks its incidents in client order and pays an incident if
  its cost is within the per-incident cap and within what is left — a plain loop
  (:meth:`StaffMember.fix_incidents`). The array engine's
  :func:`model.engine.phases.work.greedy_spend` claims to compute exactly this rule without the loop.

Firm-level pieces that involve no client (the innovation draw, the lever plan, the initial
population) reuse the array engine's own code.

Examples
--------
>>> from model import Scenario
>>> m = ReferenceModel(Scenario().with_overrides({"market.clients": 300, "run.months": 3}))
>>> m.run().timeseries().shape[0]
3
"""

from model.engine.reference.agents import ClientAgent, StaffMember
from model.engine.reference.reference_model import REFERENCE_METRICS, ReferenceModel

__all__ = ["REFERENCE_METRICS", "ClientAgent", "ReferenceModel", "StaffMember"]
