"""``ispterm task ...``: tech-support tasks (SUP-1)."""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import aliases, state

app = typer.Typer(help="Tech-support tasks.", no_args_is_help=True)


@app.command("add", help="Create a task, for a customer when --customer is given.")
@state.flags(title="TITLE", type="--type", priority="--priority", assignees="--assign")
def add(
    title: str,
    number: Annotated[int | None, typer.Option("--customer", help="Customer number.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Task type.")] = None,
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    due_on: Annotated[str | None, typer.Option("--due-on", metavar="DATE", help="Due date YYYY-MM-DD.")] = None,
    assign: Annotated[list[str] | None, typer.Option("--assign", help="Operator login; repeat.")] = None,
    old_due: Annotated[str | None, typer.Option("--due", hidden=True, help="Old spelling of --due-on.")] = None,
) -> None:
    from ispterm.support.service import create_task

    due_flag, due = aliases.either("--due-on", due_on, "--due", old_due)
    with aliases.naming(due_on=due_flag):
        task = create_task(state.ctx(), number, title, type_name=type_, priority=priority, due_on=due,
                           assignees=assign or [])
    typer.echo(f"task {task.id} created")


@app.command("list", help="List tasks, of one customer when --customer is given.")
def list_(
    number: Annotated[int | None, typer.Option("--customer", help="Customer number.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only tasks not done or cancelled.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.support.service import list_tasks

    tasks = list_tasks(state.ctx(), number, open_only=open_only)
    if as_json:
        state.print_json([t.to_json() for t in tasks])
        return
    for t in tasks:
        typer.echo(f"#{t.id:<5} {t.status:<11} {t.priority:<7} {t.customer_number or '-':>8}  "
                   f"{t.title}  [{', '.join(t.assignees)}]")


@app.command("status", help="Change a task's status (new, in_progress, waiting, done, cancelled).")
@state.flags(status="NEW_STATUS")
def status(task_id: int, new_status: str) -> None:
    from ispterm.support.service import update_task

    task = update_task(state.ctx(), task_id, status=new_status)
    typer.echo(f"task {task.id} is {task.status}")
