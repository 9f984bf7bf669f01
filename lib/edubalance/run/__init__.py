"""Running notebooks: the parameter model, batch files, the plan, jobs, engines, manifest, index.

Layers inside (each imports only those above it)::

    params     one parameter model for a notebook's first cell and the batch's check
    batchfile  safe YAML batch files (size/alias limits, duplicate keys, relative paths)
    plan       jobs from batch files: grid, folder names, up-front check, fingerprints
    manifest   manifest.json entries (built in one place), the folder lock
    job        one job: temporary folder, watchdog, HTML report, job.json, rename
    isolation  what a warm kernel resets between jobs
    engines    warm (default), cold and Dask engines
    index      the index page (Jinja2 template)
    runner     the batch: run_batch, signals, write failures, summary

``edubalance.batch`` is the public façade and the ``edubalance batch`` command.
Submodules are imported on use (``edubalance.run.params`` needs no kernel machinery).
"""
