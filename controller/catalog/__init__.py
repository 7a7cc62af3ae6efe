"""The resource catalog: specs, validation, HCL rendering, reading a repo.

Pure logic apart from :func:`render.write_project` (writes a project dir) and
:mod:`reader` (reads one). Public face::

    from controller.catalog import specs, validation, render, reader
    spec = specs.VmSpec(name="web", project="shop", target=specs.Target.LOCAL,
                        region="local-1", requested_by="alice", size="small")
    validation.validate(spec)                # SpecValidationError(field, value, rule)
    name, text = render.render_resource(spec)
    render.write_project(repo, "shop", "local", "local-1", [spec])
    render.read_specs({name: text})          # round trip
    reader.read_project(repo / "projects" / "shop")   # inventory + counts
"""
