"""User-visible strings of django-unfold, listed so that `makemessages` keeps them in our catalogue.

django-unfold (the admin theme) marks its UI strings for translation but ships no translations at all,
so labels such as "Filters", "Apply Filters" or "Select value" would stay English in our Chinese UI.
Django merges all catalogues by msgid, so translating unfold's msgids in our own catalogue
(``freightcrm/locale/zh_Hans``) translates unfold's UI. ``makemessages`` only scans our source tree,
hence this module: it repeats unfold's msgids verbatim as no-op markers, so that a regenerated catalogue
neither drops them as obsolete nor loses their translations.

Rules for maintaining the list:

* Copy msgids exactly, including the whitespace and ``%(name)s`` placeholders that ``{% blocktranslate %}``
  bodies produce (see the plural entries at the bottom); a msgid that differs by one space never matches.
* Leave out msgids that Django's own catalogues (admin, auth, ...), django-simple-history or our own
  code already translate: entries in our catalogue (a ``LOCALE_PATHS`` catalogue) take precedence, so
  repeating them here would override those translations.
* Re-check the list when upgrading django-unfold: run ``makemessages`` on a copy of the ``unfold``
  package and compare.

Nothing imports this module at runtime; ``gettext_noop`` only marks strings, and ``ngettext_lazy`` is the
plural-aware marker that ``makemessages`` recognises (the lazy objects are never evaluated here).
"""

from django.utils.translation import gettext_noop, ngettext_lazy

UNFOLD_STRINGS = (
    # Admin site, change list, change form, widgets and navigation (unfold itself).
    gettext_noop("Select record"),
    gettext_noop("Select action"),
    gettext_noop("Select action to run"),
    gettext_noop(
        "Raw passwords are not stored, so there is no way to see this user’s password, but you can "
        'change the password using <a href="{}" class="text-primary-600 dark:text-primary-500">this '
        "form</a>."
    ),
    gettext_noop("Select value"),
    gettext_noop("Dataset not found. No action performed."),
    gettext_noop("You can not create nested object without parent"),
    gettext_noop("Run"),
    gettext_noop("After you've created a user, you’ll be able to edit more user options."),
    gettext_noop("Filters"),
    gettext_noop("Expand row"),
    gettext_noop("Welcome back to"),
    gettext_noop("Type to search"),
    gettext_noop("You have been successfully logged out from the administration"),
    gettext_noop("No data"),
    gettext_noop("More actions"),
    gettext_noop("All applications"),
    gettext_noop("True"),
    gettext_noop("False"),
    gettext_noop("Apply Filters"),
    gettext_noop("Select all rows"),
    gettext_noop("Recent searches"),
    gettext_noop("No recent searches"),
    gettext_noop("No results matching your query"),
    gettext_noop("Loading more results..."),
    gettext_noop("Cancel"),
    gettext_noop("Record picture"),
    gettext_noop("This item will be deleted."),
    gettext_noop("Click to cancel"),
    gettext_noop("No results found"),
    gettext_noop("This page yielded into no results. Create a new item or reset your filters."),
    gettext_noop("Reset filters"),
    gettext_noop("Image preview"),
    gettext_noop("Click to download"),
    gettext_noop("Go back"),
    gettext_noop("Previous"),
    gettext_noop("Next"),
    gettext_noop("Search apps and models..."),
    gettext_noop("General"),
    gettext_noop("Light"),
    gettext_noop("Dark"),
    gettext_noop("Return to site"),
    gettext_noop("Choose file to upload"),
    gettext_noop("Toggle password visibility"),
    gettext_noop("Date"),
    gettext_noop("Select currency"),
    # unfold.contrib.filters: range and date filters.
    gettext_noop("From"),
    gettext_noop("To"),
    gettext_noop("Date from"),
    gettext_noop("Date to"),
    gettext_noop("Not enough data."),
    # unfold.contrib.simple_history: object history pages.
    gettext_noop("Choose a date from the list below to revert to a previous version of this object"),
    gettext_noop("Changes"),
    # unfold.contrib.constance: settings table.
    gettext_noop("Collapse"),
    gettext_noop("Name"),
    gettext_noop("Value"),
    gettext_noop("Default"),
    gettext_noop("Code"),
    gettext_noop("Current file"),
    gettext_noop("Reset to default"),
    # unfold.contrib.forms: array widget and WYSIWYG toolbar.
    gettext_noop("Add new item"),
    gettext_noop("Paragraph"),
    gettext_noop("Underlined"),
    gettext_noop("Bold"),
    gettext_noop("Italic"),
    gettext_noop("Strike"),
    gettext_noop("Link"),
    gettext_noop("Heading"),
    gettext_noop("Quote"),
    gettext_noop("Unordered list"),
    gettext_noop("Ordered list"),
    gettext_noop("Indent increase"),
    gettext_noop("Indent decrease"),
    gettext_noop("Undo"),
    gettext_noop("Redo"),
    gettext_noop("Enter an URL"),
    gettext_noop("Unlink"),
    # unfold.contrib.guardian: object permissions.
    gettext_noop("Object permissions"),
    gettext_noop("Group"),
    gettext_noop("Group permissions"),
    gettext_noop("Manage group"),
    gettext_noop("User permissions"),
    gettext_noop("Manage user"),
    # unfold.contrib.import_export: import and export pages.
    gettext_noop("Select format"),
    gettext_noop("Export"),
    gettext_noop("Import"),
    gettext_noop("This exporter will export the following fields"),
    gettext_noop("Submit"),
    gettext_noop(
        "Below is a preview of data to be imported. If you are satisfied with the results, click "
        "'Confirm import'"
    ),
    gettext_noop("Confirm import"),
    gettext_noop("Line number"),
    gettext_noop("View traceback"),
    gettext_noop("New"),
    gettext_noop("Skipped"),
    gettext_noop("Update"),
    gettext_noop("Some rows failed to validate"),
    gettext_noop(
        "Please correct these errors in your data where possible, then reupload it using the form above."
    ),
    gettext_noop("Row"),
    gettext_noop("Non field specific"),
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("This importer will import the following fields: "),
    # unfold_crispy templates: tabular formsets.
    gettext_noop("Add row"),
)

# Plural msgids from `{% blocktranslate count ... %}` bodies, whitespace and all.
UNFOLD_PLURAL_STRINGS = (
    ngettext_lazy(
        "\n                    Export %(len)s selected item.\n                ",
        "\n                    Export %(len)s selected items.\n                ",
    ),
    ngettext_lazy(
        "\n                Found %(counter)s result in %(time)s seconds\n            ",
        "\n                Found %(counter)s results in %(time)s seconds\n            ",
    ),
)
