from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kizuna.advisories.models import Advisory, ClientSite, SiteState, VulnerabilityReport
from kizuna.core.forms import HttpUrlField
from kizuna.partners.models import Badge


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class AdvisoryForm(forms.ModelForm):
    """Lists are typed one item per line, as a security team writes them down."""

    aliases_text = forms.CharField(
        label=_("Aliases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, e.g. CVE-2026-12345 or JVN#12345678."),
    )
    affected_text = forms.CharField(
        label=_("Affected versions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: package, first affected version (0 for all earlier), fixed version "
            "(empty if not fixed yet). E.g. “ec-cube/ec-cube, 4.0.0, 4.2.3”."
        ),
    )
    references_text = forms.CharField(
        label=_("References"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One URL per line."),
    )
    credits_text = forms.CharField(
        label=_("Credits"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One name per line."),
    )
    target_badges = forms.ModelMultipleChoiceField(
        label=_("Badges (when targeting by badge)"),
        queryset=Badge.objects.filter(retired_at__isnull=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    revision_summary = forms.CharField(
        label=_("What changed (for the revision history)"), required=False, max_length=300
    )
    public_at = forms.DateTimeField(
        label=_("Public date"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = Advisory
        fields = [
            "title_ja",
            "title_en",
            "details_ja",
            "details_en",
            "remediation_ja",
            "remediation_en",
            "cvss_vector",
            "targeting",
            "public_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        advisory = self.instance
        if advisory.pk:
            self.initial.update(
                aliases_text="\n".join(advisory.aliases),
                references_text="\n".join(advisory.references),
                credits_text="\n".join(advisory.credits),
                target_badges=list(advisory.target_badges.all()),
                affected_text="\n".join(
                    ", ".join([a["package"], a["introduced"], a["fixed"]]).rstrip(", ")
                    for a in advisory.affected
                ),
            )
        else:
            self.fields.pop("revision_summary")

    def clean_affected_text(self) -> list[dict[str, str]]:
        entries = []
        for line in _lines(self.cleaned_data["affected_text"]):
            parts = [part.strip() for part in line.split(",")] + ["", ""]
            entries.append({"package": parts[0], "introduced": parts[1] or "0", "fixed": parts[2]})
        return entries

    def clean_references_text(self) -> list[str]:
        link = HttpUrlField()
        return [link.clean(url) for url in _lines(self.cleaned_data["references_text"])]

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data.update(
            aliases=_lines(self.cleaned_data["aliases_text"]),
            affected=self.cleaned_data["affected_text"],
            references=self.cleaned_data["references_text"],
            credits=_lines(self.cleaned_data["credits_text"]),
        )
        return data


class ClientSiteForm(forms.ModelForm):
    url = HttpUrlField(
        label=_("URL"), required=False, help_text=_("Optional. Kizuna never visits or scans it.")
    )
    plugins_text = forms.CharField(
        label=_("Plugins"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: plugin name and version, e.g. “coupon-plugin 1.2.0”."),
    )

    class Meta:
        model = ClientSite
        fields = ["label", "url", "product_version", "hosting_notes"]
        help_texts = {"label": _("Your own name for the site; no client name is needed.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["plugins_text"] = "\n".join(
                f"{p['name']} {p['version']}".strip() for p in self.instance.plugins
            )

    def clean_plugins_text(self) -> list[dict[str, str]]:
        plugins = []
        for line in _lines(self.cleaned_data["plugins_text"]):
            name, _space, version = line.rpartition(" ")
            plugins.append({"name": name or version, "version": version if name else ""})
        return plugins

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["plugins"] = self.cleaned_data["plugins_text"]
        return data


class ClientSiteImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: label, product_version, url, plugins, hosting_notes "
            "(or ラベル, 製品バージョン, URL, プラグイン, ホスティングメモ). UTF-8 or Shift_JIS."
        ),
    )


class SiteStatusForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), choices=SiteState.choices)
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class VulnerabilityReportForm(forms.ModelForm):
    # Left empty by people; bots fill every field they find.
    website = forms.CharField(required=False, widget=forms.HiddenInput, label="")

    class Meta:
        model = VulnerabilityReport
        fields = ["name", "email", "product", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 8})}
