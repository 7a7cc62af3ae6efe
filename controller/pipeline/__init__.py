"""The pull-request pipeline: comment commands, jobs, plan and apply runs.

Pure: `comment_parser`. The rest orchestrates I/O through the runner, the
forge client and the store.
"""
