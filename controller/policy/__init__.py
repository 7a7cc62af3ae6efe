"""Policy as code: the Rego engine, its input document, verdicts, pre-flight, governance.

Pure apart from the edges named here: ``library`` reads ``.rego`` files,
``protection`` reads a project's ``.tf`` files, ``rego`` is the only module
that talks to the Rego interpreter (regorus; it translates its failures),
``conftest`` runs conftest policy directories on the plan document and
``outputs`` renders verdicts as conftest does (json, tap, junit, github, sarif). Public face::

    from controller.policy import engine, inputs, preflight, governance
    actor = inputs.actor_for(config, "shop", github=pr_author)          # grants active now
    result = engine.check_plan(plan, config=config, project="shop", actor=actor,
                               usage=inventory.counts(), cost=inputs.cost_input(est, "shop"),
                               protected=protection.protected_addresses(base / "projects/shop"))
    result.passed; result.to_markdown(); result.summary(); result.override("alice")
    preflight.preflight(specs, config, actor, usage)                     # before a PR exists
    governance.prune_grants(text, now); governance.budget_crossings(prev, new, budget)

A denial is a value (``PolicyResult``), never an exception; bad Rego in a
repo's ``policies/`` is a ``ConfigError`` naming the file and line.
"""
