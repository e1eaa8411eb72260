"""Commands for accounts and API tokens; passwords never pass through argv."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tracker.accounts import (
    create_token,
    create_user,
    deactivate_user,
    existing_user,
    set_role,
    user_by_email,
)
from tracker.commands.common import writing
from tracker.models import Role

ROLE = click.Choice([role.value for role in Role])


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=ROLE, required=True, help="admin or campaigner")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account. The password is prompted for, never taken from the command line."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with writing() as session:
        user = create_user(session, email, password, Role(role))
    click.echo(f"Created {user.role} account {user.email}.")


@click.command("set-role")
@with_appcontext
@click.argument("email")
@click.argument("role", type=ROLE)
def set_role_command(email: str, role: str) -> None:
    """Change an account's role (its sessions end so the new role applies at once)."""
    with writing() as session:
        user = set_role(existing_user(session, email), Role(role))
    click.echo(f"{user.email} is now {user.role}.")


@click.command("deactivate-user")
@with_appcontext
@click.argument("email")
def deactivate_user_command(email: str) -> None:
    """Stop an account signing in or using its API tokens."""
    with writing() as session:
        user = deactivate_user(session, existing_user(session, email))
    click.echo(f"{user.email} can no longer sign in; its API tokens are revoked.")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="command line", help="A name to recognise the token by.")
def create_token_command(email: str, name: str) -> None:
    """Create an API token for an account and print it (it is shown only this once)."""
    with writing() as session:
        user = user_by_email(session, email)
        if user is None or not user.is_active:
            raise click.ClickException(f"There is no active account for {email}.")
        _, secret = create_token(session, user, name)
    click.echo(secret)


COMMANDS = (create_user_command, set_role_command, deactivate_user_command, create_token_command)
