"""The cost engine: list prices as data, plans priced into monthly deltas (pure).

No I/O beyond reading the bundled pricing files once. Public face::

    from controller.cost import estimate, render
    est = estimate.estimate(plan, budgets={"shop": Decimal(200)})
    render.markdown(est); render.as_json(est); render.summary(est)

``catalog`` loads and looks up prices; ``resources`` knows, per terraform
type, which values are priced; ``estimate`` walks a plan; ``render`` formats.
"""
