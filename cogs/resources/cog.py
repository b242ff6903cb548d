"""`/resources`: the server's directory of services and groups.

Everyone can search (`find`, `categories`, `show`) and answers are private; members `suggest` entries; admins
(Manage Server) `add`, `edit`, `remove`, `import`, `export` and `review` them and decide suggestions. Members'
suggestions are posted to the server's share-queue channel (`/setup channels share_queue:`) with Add / Dismiss
buttons, and are always listed by `/resources suggestions`. The Discord-free core is `model`, `search`, `store` and
`exchange` in this package.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import date

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import PeerBot
from bot.checks import audience
from bot.db import Database
from bot.errors import UserFacingError
from bot.ui import confirm, is_admin, reply
from cogs.resources import exchange, search, store
from cogs.resources.model import (
    DirectoryError,
    Entry,
    InvalidEntryError,
    Resource,
    SuggestionDraft,
    as_text,
    check,
    clean_text,
    quoted,
    resolve_category,
    validate_suggestion,
)
from cogs.resources.views import (
    DYNAMIC_ITEMS,
    resource_embed,
    resource_modal,
    results_view,
    review_view,
    suggest_modal,
    suggestion_embed,
    suggestion_view,
)

log = logging.getLogger(__name__)

Choices = list[app_commands.Choice[str]]
MAX_PENDING_PER_MEMBER = 5
REVIEW_PAGE = 5
SUGGESTIONS_PAGE = 5
# Discord allows 2,000 characters of message content and 4,096 in an embed description.
PROBLEMS_MAX = 3900
_CONTACT_SPLIT = re.compile(r"[\n,;]+")
_URLISH = re.compile(r"[^\W\d_]")


def split_contact(text: str) -> dict[str, str]:
    """A member's free-text contact ("0800 123, example.org") as phone / website / email (first of each wins)."""
    found: dict[str, str] = {}
    for piece in (p.strip() for p in _CONTACT_SPLIT.split(text)):
        if not piece:
            continue
        if "@" in piece and "://" not in piece and " " not in piece:
            found.setdefault("email", piece)
        elif "." in piece and _URLISH.search(piece):
            found.setdefault("website", piece)
        else:
            found.setdefault("phone", piece)
    return found


def _problems_text(lines: list[str]) -> str:
    text = "\n".join(f"\N{BULLET} {discord.utils.escape_markdown(line)}" for line in lines)
    return text if len(text) <= PROBLEMS_MAX else text[: PROBLEMS_MAX - 1] + "\N{HORIZONTAL ELLIPSIS}"


class Resources(commands.Cog):
    """A per-server directory of local and online resources, searchable by everyone."""

    resources = app_commands.Group(name="resources", description="Find and share local resources.", guild_only=True)

    def __init__(self, bot: PeerBot) -> None:
        self.bot = bot
        self.searches = search.RecentSearches()  # what the Previous / Next buttons under results search again

    async def cog_load(self) -> None:
        self.bot.user_data_deleters["resources"] = self._delete_user_data
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.user_data_deleters.pop("resources", None)
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    async def _delete_user_data(self, db: Database, user_id: int) -> int:
        """/privacy delete: the member's suggestions, and the searches their results' buttons would run again."""
        return self.searches.forget_user(user_id) + await store.delete_user_data(db, user_id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        # Seed the default categories up front, so no command's first use has to write before it can refuse.
        await store.ensure_categories(self.bot.db, guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await store.ensure_categories(self.bot.db, guild.id)

    # -- helpers ------------------------------------------------------------------------------------------------------

    def _today(self) -> date:
        return self.bot.clock.now().date()

    @staticmethod
    def _guild(interaction: discord.Interaction) -> int:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return interaction.guild_id

    async def _resource(self, guild_id: int, value: str) -> Resource:
        """The resource an option names: an autocomplete id, or a name typed by hand."""
        text = value.strip()
        found = (
            await store.get_resource(self.bot.db, guild_id, int(text))
            if text.isascii() and text.isdigit() and len(text) < 19
            else None
        )
        found = found or await store.get_resource_by_name(self.bot.db, guild_id, text)
        if found is None:
            raise UserFacingError(
                f"I couldn't find a resource called {quoted(clean_text(text))}. Pick one from the list as you type."
            )
        return found

    async def _category(self, guild_id: int, value: str) -> str:
        known = await search.categories(self.bot.db, guild_id)
        canonical = resolve_category(value, known)
        if canonical is None:
            raise UserFacingError(
                f"{quoted(clean_text(value))} isn't one of this server's categories. "
                f"Pick one of: {', '.join(known) or 'none yet'}."
            )
        return canonical

    # -- autocomplete -------------------------------------------------------------------------------------------------

    async def resource_choices(self, interaction: discord.Interaction, current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        hits = await search.names_like(self.bot.db, interaction.guild_id, current[:100])
        return [app_commands.Choice(name=h.name[:100], value=str(h.id)) for h in hits]

    async def category_choices(self, interaction: discord.Interaction, current: str) -> Choices:
        if interaction.guild_id is None:
            return []
        wanted = clean_text(current).casefold()
        known = await search.categories(self.bot.db, interaction.guild_id)
        return [app_commands.Choice(name=c, value=c) for c in known if wanted in c.casefold()][:25]

    # -- everyone: find, categories, show -----------------------------------------------------------------------------

    @audience("member")
    @resources.command(name="find")
    @app_commands.describe(
        query="What you're looking for, e.g. food bank or housing advice",
        category="Only this category",
        area="Only resources whose area served includes this, e.g. Leicester",
    )
    async def find(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 0, 500],
        category: str | None = None,
        area: app_commands.Range[str, 0, 200] | None = None,
    ) -> None:
        """Search this server's resource directory. Only you can see the results."""
        guild_id = self._guild(interaction)
        saved = search.SavedSearch(guild_id, interaction.user.id, query, category, area)
        content, embed, view = await self._page(saved, None, 0)
        await reply(interaction, content, embed=embed, view=view)

    @find.autocomplete("category")
    async def _find_category(self, interaction: discord.Interaction, current: str) -> Choices:
        return await self.category_choices(interaction, current)

    async def _page(
        self, saved: search.SavedSearch, search_key: str | None, offset: int
    ) -> tuple[str, discord.Embed | None, discord.ui.View | None]:
        """Run the search for one result (the one at `offset`); the message's content, embed and buttons. The search
        is saved for its buttons (under a new key if `search_key` is None) when it finds something."""
        try:
            result = await search.find(
                self.bot.db, saved.guild_id, saved.query, saved.category, saved.area, limit=1, offset=offset
            )
            if not result.items and result.total and offset > 0:  # the directory shrank since the last click
                offset = max(0, result.total - 1)
                result = await search.find(
                    self.bot.db, saved.guild_id, saved.query, saved.category, saved.area, limit=1, offset=offset
                )
        except DirectoryError as exc:
            raise UserFacingError(exc.message) from exc
        urgent = (
            "If you're in crisis or not safe right now, `/crisis` shows crisis lines straight away "
            "(only you see them).\n"
            if result.urgent
            else ""
        )
        if not result.items:
            used = result.categories_in_use
            hint = (
                f"Categories with entries: {', '.join(used)}. Try a shorter search, or `/resources find` with a "
                "category."
                if used
                else "The directory is empty so far; `/resources suggest` lets you propose something."
            )
            return f"{urgent}Sorry, I couldn't find anything for that search. {hint}", None, None
        resource = result.items[0]
        note = {
            search.Match.CLOSE: "I didn't find those exact words, so here are close matches.\n",
            search.Match.SOME: "Nothing matched every word, so here are results matching some of them.\n",
        }.get(result.match, "")
        footer = f"Result {offset + 1} of {result.total}"
        search_key = search_key or self.searches.save(saved)
        view = results_view(search_key, offset, result.total, resource.id)
        return urgent + note, resource_embed(resource, footer=footer), view

    async def show_page(self, interaction: discord.Interaction, search_key: str, offset: int) -> None:
        """Previous / Next under results."""
        guild_id = self._guild(interaction)
        saved = self.searches.get(search_key)
        if saved is None or saved.guild_id != guild_id:
            await reply(interaction, "These results have expired. Please search again with `/resources find`.")
            return
        if saved.user_id != interaction.user.id:
            await reply(interaction, "These buttons belong to someone else's search. Try `/resources find` yourself.")
            return
        content, embed, view = await self._page(saved, search_key, offset)
        await interaction.response.edit_message(content=content or None, embed=embed, view=view)

    async def share_result(self, interaction: discord.Interaction, resource_id: int) -> None:
        """Share here under results."""
        guild_id = self._guild(interaction)
        resource = await store.get_resource(self.bot.db, guild_id, resource_id)
        if resource is None:
            await reply(interaction, "That resource has just been removed from the directory, so I can't share it.")
            return
        # Public on purpose (the member pressed Share here); the bot's default allowed_mentions pings no one.
        await interaction.response.send_message(
            "Shared from the resource directory (`/resources find` to search it):",
            embed=resource_embed(resource),
            ephemeral=False,
        )
        log.info("Resource %s shared (guild %s)", resource_id, guild_id)

    @audience("member")
    @resources.command(name="categories")
    async def categories(self, interaction: discord.Interaction) -> None:
        """The directory's categories and how many resources each has."""
        counts = await store.category_counts(self.bot.db, self._guild(interaction))
        if not counts:
            await reply(interaction, "This server has no categories yet.")
            return
        lines = [f"\N{BULLET} **{discord.utils.escape_markdown(c.name)}**: {c.count}" for c in counts]
        embed = discord.Embed(title="Resource categories", description="\n".join(lines))
        embed.set_footer(text="Search one with /resources find query: category:")
        await reply(interaction, embed=embed)

    @audience("member")
    @resources.command(name="show")
    @app_commands.describe(resource="The resource (start typing its name)")
    async def show(self, interaction: discord.Interaction, resource: app_commands.Range[str, 1, 100]) -> None:
        """Everything the directory knows about one resource. Only you can see it."""
        found = await self._resource(self._guild(interaction), resource)
        await reply(interaction, embed=resource_embed(found, full=True))

    @show.autocomplete("resource")
    async def _show_resource(self, interaction: discord.Interaction, current: str) -> Choices:
        return await self.resource_choices(interaction, current)

    # -- members: suggest ---------------------------------------------------------------------------------------------

    @audience("member")
    @resources.command(name="suggest")
    async def suggest(self, interaction: discord.Interaction) -> None:
        """Suggest a resource for the directory; an admin checks it before it is added."""
        guild_id = self._guild(interaction)
        if await store.pending_count_by(self.bot.db, guild_id, interaction.user.id) >= MAX_PENDING_PER_MEMBER:
            raise UserFacingError(
                f"You already have {MAX_PENDING_PER_MEMBER} suggestions waiting for an admin. "
                "Please wait until they've been looked at."
            )
        await interaction.response.send_modal(suggest_modal(self._suggested))

    async def _suggested(self, interaction: discord.Interaction, values: dict[str, str]) -> None:
        guild_id = self._guild(interaction)
        try:
            draft = validate_suggestion(values)
        except InvalidEntryError as exc:
            raise UserFacingError("I couldn't take that suggestion:\n" + exc.message) from exc
        suggestion = await store.add_suggestion(self.bot.db, guild_id, interaction.user.id, draft)
        posted = await self._post_suggestion(guild_id, suggestion.id, draft, interaction.user.id)
        where = "The admins have been told." if posted else "An admin will see it in `/resources suggestions`."
        await reply(
            interaction,
            f"Thank you! Your suggestion **{discord.utils.escape_markdown(draft.name)}** is "
            f"waiting for an admin to check. {where}",
        )
        log.info("Resource suggestion %s added (guild %s)", suggestion.id, guild_id)

    async def _post_suggestion(self, guild_id: int, suggestion_id: int, draft: SuggestionDraft, user_id: int) -> bool:
        config = await self.bot.guild_config(guild_id)
        channel_id = config.share_queue_channel_id
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel):
            return False
        try:
            await channel.send(
                embed=suggestion_embed(suggestion_id, draft, user_id), view=suggestion_view(suggestion_id)
            )
        except discord.HTTPException:
            log.warning("Could not post resource suggestion %s to channel %s", suggestion_id, channel_id)
            return False
        return True

    async def decide_suggestion(self, interaction: discord.Interaction, suggestion_id: int, action: str) -> None:
        """The Add / Dismiss buttons (admins only)."""
        guild_id = self._guild(interaction)
        if not is_admin(interaction.user):
            await reply(interaction, "Only server admins (Manage Server) can add or dismiss suggestions.")
            return
        suggestion = await store.get_suggestion(self.bot.db, guild_id, suggestion_id)
        if suggestion is None or suggestion.status != "pending":
            await reply(interaction, "Someone has already dealt with this suggestion.")
            await self._close_card(interaction, suggestion_id, "Already dealt with.")
            return
        if action == "dismiss":
            if await store.decide_suggestion(
                self.bot.db, guild_id, suggestion_id, status="dismissed", decided_by=interaction.user.id
            ):
                await self._close_card(interaction, suggestion_id, f"Dismissed by {interaction.user.mention}.")
            return
        draft = suggestion.draft
        raw = {"name": draft.name, "description": draft.description, "category": draft.category, "area": draft.area}
        raw.update(split_contact(draft.contact))
        known = await store.categories(self.bot.db, guild_id)
        entry, problems = check(raw, known, today=self._today())
        if entry is None:
            lines = [p.describe() for p in problems]
            await reply(
                interaction,
                "I can't add this suggestion as it is:\n"
                + _problems_text(lines)[:1500]
                + "\nAdd it yourself with `/resources add` (fixing those), then press **Dismiss** here.",
            )
            return
        try:
            async with self.bot.db.transaction():
                resource = await store.add_resource(self.bot.db, guild_id, entry)
                decided = await store.decide_suggestion(
                    self.bot.db,
                    guild_id,
                    suggestion_id,
                    status="added",
                    decided_by=interaction.user.id,
                    resource_id=resource.id,
                )
                if not decided:
                    raise DirectoryError("Someone has already dealt with this suggestion.")
        except DirectoryError as exc:
            await reply(interaction, exc.message)
            return
        await self._close_card(
            interaction,
            suggestion_id,
            f"Added to the directory as **{discord.utils.escape_markdown(resource.name)}** "
            f"by {interaction.user.mention}.",
        )
        log.info("Resource suggestion %s added as resource %s (guild %s)", suggestion_id, resource.id, guild_id)

    async def _close_card(self, interaction: discord.Interaction, suggestion_id: int, outcome: str) -> None:
        """Disable the buttons on the suggestion's message and say what happened."""
        if interaction.message is None:
            return
        if interaction.response.is_done():
            try:
                await interaction.message.edit(content=outcome, view=suggestion_view(suggestion_id, disabled=True))
            except discord.HTTPException:
                log.warning("Could not update suggestion %s's message", suggestion_id)
            return
        await interaction.response.edit_message(content=outcome, view=suggestion_view(suggestion_id, disabled=True))

    @audience("admin")
    @resources.command(name="suggestions")
    async def suggestions(self, interaction: discord.Interaction) -> None:
        """Suggestions waiting for an admin."""
        page = await store.pending_suggestions(self.bot.db, self._guild(interaction), limit=SUGGESTIONS_PAGE)
        if not page.items:
            await reply(interaction, "No suggestions are waiting. \N{SPARKLES}")
            return
        await reply(interaction, f"{page.total} suggestion(s) waiting; here are the oldest {len(page.items)}.")
        for suggestion in page.items:
            await reply(
                interaction,
                embed=suggestion_embed(suggestion.id, suggestion.draft, suggestion.user_id),
                view=suggestion_view(suggestion.id),
            )

    # -- admins: add, edit, remove ------------------------------------------------------------------------------------

    @audience("admin")
    @resources.command(name="add")
    @app_commands.describe(
        category="The resource's category",
        area="Area served (a town, region, or 'online')",
        hours="Opening hours, e.g. Mon-Fri 9-5",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        category: app_commands.Range[str, 1, 50],
        area: app_commands.Range[str, 0, 200] | None = None,
        hours: app_commands.Range[str, 0, 300] | None = None,
    ) -> None:
        """Add a resource to the directory."""
        guild_id = self._guild(interaction)
        canonical = await self._category(guild_id, category)
        extra = {"category": canonical, "area": area or "", "hours": hours or ""}

        async def submitted(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            entry = await self._checked({**values, **extra}, guild_id)
            try:
                resource = await store.add_resource(self.bot.db, guild_id, entry)
            except DirectoryError as exc:
                raise UserFacingError(exc.message) from exc
            await reply(
                modal_interaction,
                f"Added **{discord.utils.escape_markdown(resource.name)}** to the directory.",
                embed=resource_embed(resource, full=True),
            )
            log.info("Resource %s added (guild %s)", resource.id, guild_id)

        await interaction.response.send_modal(resource_modal("Add a resource", submitted))

    @add.autocomplete("category")
    async def _add_category(self, interaction: discord.Interaction, current: str) -> Choices:
        return await self.category_choices(interaction, current)

    async def _checked(self, raw: dict[str, str], guild_id: int) -> Entry:
        """Validate a form's values; raise UserFacingError naming every problem (nothing is saved)."""
        known = await store.categories(self.bot.db, guild_id)
        entry, problems = check(raw, known, today=self._today())
        if entry is None:
            lines = "\n".join(f"\N{BULLET} {p.describe()}" for p in problems)
            raise UserFacingError(f"I couldn't save that, nothing was changed:\n{lines}"[:1900])
        return entry

    @audience("admin")
    @resources.command(name="edit")
    @app_commands.describe(
        resource="The resource to change (start typing its name)",
        category="A new category (leave empty to keep it)",
        area="A new area served (leave empty to keep it)",
        hours="New opening hours (leave empty to keep them)",
    )
    async def edit(
        self,
        interaction: discord.Interaction,
        resource: app_commands.Range[str, 1, 100],
        category: app_commands.Range[str, 1, 50] | None = None,
        area: app_commands.Range[str, 0, 200] | None = None,
        hours: app_commands.Range[str, 0, 300] | None = None,
    ) -> None:
        """Change a resource."""
        guild_id = self._guild(interaction)
        current = await self._resource(guild_id, resource)
        base = as_text(current)
        if category:
            base["category"] = await self._category(guild_id, category)
        if area is not None:
            base["area"] = area
        if hours is not None:
            base["hours"] = hours

        async def submitted(modal_interaction: discord.Interaction, values: dict[str, str]) -> None:
            entry = await self._checked({**base, **values}, guild_id)
            try:
                updated = await store.update_resource(self.bot.db, guild_id, current.id, entry)
            except DirectoryError as exc:
                raise UserFacingError(exc.message) from exc
            if updated is None:
                raise UserFacingError("That resource was removed while you were editing it, so nothing was saved.")
            await reply(
                modal_interaction,
                f"Saved **{discord.utils.escape_markdown(updated.name)}**.",
                embed=resource_embed(updated, full=True),
            )
            log.info("Resource %s edited (guild %s)", updated.id, guild_id)

        await interaction.response.send_modal(resource_modal("Edit a resource", submitted, current))

    @edit.autocomplete("resource")
    async def _edit_resource(self, interaction: discord.Interaction, current: str) -> Choices:
        return await self.resource_choices(interaction, current)

    @edit.autocomplete("category")
    async def _edit_category(self, interaction: discord.Interaction, current: str) -> Choices:
        return await self.category_choices(interaction, current)

    @audience("admin")
    @resources.command(name="remove")
    @app_commands.describe(resource="The resource to remove (start typing its name)")
    async def remove(self, interaction: discord.Interaction, resource: app_commands.Range[str, 1, 100]) -> None:
        """Remove a resource."""
        guild_id = self._guild(interaction)
        found = await self._resource(guild_id, resource)
        name = discord.utils.escape_markdown(found.name)
        answer = await confirm(
            interaction,
            f"Remove **{name}** from the directory? This can't be undone (an export keeps a copy).",
            yes="Remove",
            no="Keep it",
            timed_out="No answer, so I kept it.",
        )
        if not answer:
            if answer is False:
                await interaction.edit_original_response(content=f"Kept **{name}**.", view=None)
            return
        removed = await store.remove_resource(self.bot.db, guild_id, found.id)
        done = f"Removed **{name}**." if removed else f"**{name}** was already removed."
        await interaction.edit_original_response(content=done, view=None)
        log.info("Resource %s removed (guild %s)", found.id, guild_id)

    @remove.autocomplete("resource")
    async def _remove_resource(self, interaction: discord.Interaction, current: str) -> Choices:
        return await self.resource_choices(interaction, current)

    # -- admins: import, export, review -------------------------------------------------------------------------------

    @audience("admin")
    @resources.command(name="import")
    @app_commands.describe(
        file="A CSV (or JSON) file, e.g. one made by /resources export",
        replace="Also remove resources that are not in the file (default: keep them)",
        new_categories="Create categories the file uses that this server doesn't have yet (default: no)",
    )
    async def import_(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        replace: bool = False,
        new_categories: bool = False,
    ) -> None:
        """Import resources from a CSV or JSON file."""
        guild_id = self._guild(interaction)
        limit_mb = exchange.MAX_BYTES / (1024 * 1024)
        if file.size > exchange.MAX_BYTES:
            raise UserFacingError(
                f"That file is {file.size / (1024 * 1024):.1f} MB; the limit is {limit_mb:g} MB "
                f"({exchange.MAX_BYTES:,} bytes). Please split it into smaller files."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        if len(data) > exchange.MAX_BYTES:  # the size Discord reported may be wrong
            raise UserFacingError(f"That file is over the {limit_mb:g} MB limit. Please split it into smaller files.")
        try:
            result = await exchange.import_directory(
                self.bot.db,
                guild_id,
                data,
                filename=file.filename,
                today=self._today(),
                replace=replace,
                add_missing_categories=new_categories,
            )
        except exchange.ImportRejectedError as exc:
            embed = discord.Embed(
                title="Nothing was imported",
                description=_problems_text(exc.lines()),
                colour=discord.Colour.red(),
            )
            embed.set_footer(text=f"{len(exc.problems)} problem(s). Fix them in the file and try again.")
            await reply(interaction, "I couldn't import that file. Please fix these and try again:", embed=embed)
            return
        except DirectoryError as exc:
            raise UserFacingError(exc.message) from exc
        parts = [f"Imported: {result.added} added, {result.updated} updated"]
        if replace:
            parts.append(f"{result.removed} removed")
        message = ", ".join(parts) + "."
        if result.new_categories:
            message += f"\nNew categories: {', '.join(result.new_categories)}."
        if result.ignored_columns:
            shown = discord.utils.escape_markdown(", ".join(result.ignored_columns))[:500]
            message += f"\nI ignored these columns I don't know: {shown}."
        await reply(interaction, message)
        log.info("Resources imported (guild %s): %d added, %d updated", guild_id, result.added, result.updated)

    @audience("admin")
    @resources.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Export the directory as CSV."""
        guild_id = self._guild(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await exchange.export_directory(self.bot.db, guild_id)
        count = await store.count_resources(self.bot.db, guild_id)
        file = discord.File(io.BytesIO(data), filename="resources.csv")
        await reply(
            interaction, f"Here is the directory: {count} resource(s). Import it with `/resources import`.", file=file
        )

    @audience("admin")
    @resources.command(name="review")
    async def review(self, interaction: discord.Interaction) -> None:
        """Resources due for a check."""
        guild_id = self._guild(interaction)
        page = await store.due_for_review(self.bot.db, guild_id, today=self._today(), limit=REVIEW_PAGE)
        if not page.items:
            await reply(interaction, "Every resource has been checked in the last 180 days. \N{SPARKLES}")
            return
        embeds = [resource_embed(r) for r in page.items]
        await reply(
            interaction,
            f"{page.total} resource(s) need checking; here are {len(page.items)}. Check the details (phone, website, "
            "hours), press **Still correct** if they are, or use `/resources edit`.",
            embeds=embeds,
            view=review_view(list(page.items)),
        )

    async def verify(self, interaction: discord.Interaction, resource_id: int) -> None:
        """The Still correct button (admins only)."""
        guild_id = self._guild(interaction)
        if not is_admin(interaction.user):
            await reply(interaction, "Only server admins (Manage Server) can mark resources as checked.")
            return
        today = self._today()
        resource = await store.get_resource(self.bot.db, guild_id, resource_id)
        if resource is None or not await store.mark_verified(self.bot.db, guild_id, resource_id, today):
            await reply(interaction, "That resource isn't in the directory any more.")
            return
        await reply(
            interaction,
            f"Thanks! **{discord.utils.escape_markdown(resource.name)}** is marked as checked on {today.isoformat()}.",
        )
        log.info("Resource %s verified (guild %s)", resource_id, guild_id)
