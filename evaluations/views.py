"""Pages for evaluation cycles, answers, results, findings, follow-up actions and decisions.

Every view fetches through ``evaluations.selectors`` / ``partners.selectors``, so an
object the user may not see — or may not act on — answers 404 for GET and POST alike.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kemitraan import fragments
from kemitraan.forms import add_service_errors
from partners.models import Organisation
from partners import access as partners_access
from partners.services import TransitionError

from . import results as results_maths
from . import access, selectors, services
from .forms import (
    ActionForm,
    ActionStatusForm,
    CycleForm,
    DecisionForm,
    FindingForm,
    ResponseForm,
    VoteForm,
)
from .models import SCORE_FIELDS, Decision, EvaluationResponse, FollowUpAction

PER_PAGE = 25


def _paginate(request, queryset, per_page=PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _require_coordinator(user, partnership_id) -> None:
    if not partners_access.coordinates(user, partnership_id):
        raise Http404


# --- evaluation cycles -------------------------------------------------------------------


@login_required
def cycle_list(request):
    """Every evaluation cycle the user may see, newest first, with the user's own answers."""
    page = _paginate(request, selectors.cycles_for_user(request.user))
    own = {}
    if request.user.is_authenticated:
        for response in EvaluationResponse.objects.filter(
            partners_access.represented_by(request.user, "membership__organisation"),
            cycle__in=[c.pk for c in page.object_list],
        ):
            own.setdefault(response.cycle_id, []).append(response)
    rows = [(cycle, own.get(cycle.pk, [])) for cycle in page.object_list]
    return render(request, "evaluations/cycle_list.html", {"page": page, "rows": rows})


@login_required
def partnership_cycles(request, partnership_pk):
    """A partnership's cycles with their results and the trend charts across cycles."""
    partnership = partners_access.partnership_get(request.user, partnership_pk)
    is_coordinator = partners_access.coordinates(request.user, partnership.pk)
    cycles = list(selectors.cycles_for_user(request.user).filter(partnership=partnership).order_by("period_start"))
    cycle_results = selectors.cycle_results(cycles)
    own = {}
    for response in EvaluationResponse.objects.filter(
        partners_access.represented_by(request.user, "membership__organisation"), cycle__partnership=partnership
    ):
        own.setdefault(response.cycle_id, []).append(response)

    rows, points = [], []
    for cycle in cycles:
        result = cycle_results[cycle.pk]
        visible = access.results_visible(cycle, result.submitted, coordinates=is_coordinator)
        rows.append({"cycle": cycle, "result": result if visible else None, "own": own.get(cycle.pk, [])})
        if visible and result.has_answers:
            points.append((cycle.period_label, result))
    rows.reverse()
    return render(
        request,
        "evaluations/partnership_cycles.html",
        {
            "partnership": partnership,
            "is_coordinator": is_coordinator,
            "rows": rows,
            "trend": results_maths.trend(points),
            "has_trend": bool(points),
            "min_answers": access.PARTNER_MIN_ANSWERS,
        },
    )


@login_required
def cycle_create(request, partnership_pk):
    """A coordinator creates a cycle for a chosen period (suggested: the current or next one)."""
    partnership = partners_access.partnership_get(request.user, partnership_pk)
    _require_coordinator(request.user, partnership.pk)
    if request.method == "POST":
        form = CycleForm(request.POST)
        if form.is_valid():
            try:
                cycle = services.cycle_create(
                    partnership=partnership, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The evaluation cycle was created."))
                return redirect(cycle)
    else:
        form = CycleForm(
            initial=services.cycle_suggest_period(partnership=partnership, today=timezone.localdate())
        )
    return render(request, "evaluations/cycle_form.html", {"partnership": partnership, "form": form})


@login_required
def cycle_detail(request, pk):
    """One cycle: the user's own answers, and the results the user may see (a cached page)."""
    scope = partners_access.partnership_scope(request.user)

    def build(request):  # at the page's normal address (fragments.render_page)
        cycle = selectors.cycle_get(request.user, pk)  # with the answer counts the results need
        is_coordinator = partners_access.coordinates(request.user, cycle.partnership_id)
        own_responses = access.responses_of(request.user, cycle)
        my_members = [
            {"membership": m, "response": own_responses.get(m.pk), "asked": access.is_asked(m, cycle)}
            for m in access.memberships_answering_for(request.user, cycle)
        ]
        result = selectors.cycle_results([cycle])[cycle.pk]
        show_results = access.results_visible(cycle, result.submitted, coordinates=is_coordinator)
        context = {
            "cycle": cycle,
            "partnership": cycle.partnership,
            "is_coordinator": is_coordinator,
            "my_members": my_members,
            "result": result if show_results else None,
            "min_answers": access.PARTNER_MIN_ANSWERS,
            "findings": selectors.findings_for_cycle(cycle) if (is_coordinator or cycle.is_closed) else None,
        }
        if is_coordinator:
            responses = list(selectors.submitted_responses(cycle))
            answered = {r.membership_id for r in responses}
            context["responses"] = [
                {"response": r, "scores": [getattr(r, f) for f in SCORE_FIELDS.values()]} for r in responses
            ]
            context["not_answered"] = [m for m in access.cycle_members(cycle) if m.pk not in answered]
        return context

    return fragments.render_page(request, "cycle_detail", "evaluations/cycle_detail.html", build,
                                 tokens=scope.tokens)


def _cycle_transition(request, pk, *, service, template, success):
    cycle = selectors.cycle_get_for_coordinator(request.user, pk)
    if request.method == "POST":
        try:
            service(cycle=cycle)
        except TransitionError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, success)
        return redirect(cycle)
    return render(request, template, {"cycle": cycle, "partnership": cycle.partnership})


@login_required
def cycle_open(request, pk):
    """Open a scheduled cycle by hand (GET asks for confirmation)."""
    return _cycle_transition(
        request, pk, service=services.cycle_open, template="evaluations/cycle_confirm_open.html",
        success=_("The cycle is open; members can answer now."),
    )


@login_required
def cycle_close(request, pk):
    """Close an open cycle by hand (GET asks for confirmation)."""
    return _cycle_transition(
        request, pk, service=services.cycle_close, template="evaluations/cycle_confirm_close.html",
        success=_("The cycle is closed; its results are final."),
    )


@login_required
def cycle_respond(request, pk, membership_pk):
    """A member organisation's answer: a form while it is a draft in an open cycle, read-only after."""
    cycle = selectors.cycle_get(request.user, pk)
    membership = get_object_or_404(access.memberships_answering_for(request.user, cycle), pk=membership_pk)
    response = selectors.response_for_member(cycle, membership)
    asked = access.is_asked(membership, cycle)
    editable = asked and cycle.is_open and (response is None or response.is_editable)

    if request.method == "POST":
        form = ResponseForm(request.POST)
        if form.is_valid():
            submit = "submit" in request.POST
            service = services.response_submit if submit else services.response_save_draft
            try:
                service(cycle=cycle, membership=membership, user=request.user, **form.cleaned_data)
            except TransitionError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("evaluations:cycle_respond", pk=cycle.pk, membership_pk=membership.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if submit:
                    messages.success(request, _("Thank you — your answer was submitted."))
                    return redirect(cycle)
                messages.success(request, _("Your draft was saved. You can come back and finish it."))
                return redirect("evaluations:cycle_respond", pk=cycle.pk, membership_pk=membership.pk)
    else:
        form = ResponseForm(initial=ResponseForm.initial_from(response))

    answers = None
    if response is not None and not editable:
        answers = [
            {"label": principle.label, "score": getattr(response, name)} for principle, name in SCORE_FIELDS.items()
        ]
    return render(
        request,
        "evaluations/response_form.html",
        {
            "cycle": cycle,
            "partnership": cycle.partnership,
            "membership": membership,
            "response": response,
            "editable": editable,
            "asked": asked,
            "form": form,
            "answers": answers,
        },
    )


@login_required
def finding_create(request, pk):
    """The coordinator records a finding on a cycle."""
    cycle = selectors.cycle_get_for_coordinator(request.user, pk)
    if request.method == "POST":
        form = FindingForm(request.POST)
        if form.is_valid():
            try:
                services.finding_create(cycle=cycle, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The finding was recorded."))
                return redirect(cycle)
    else:
        form = FindingForm()
    return render(request, "evaluations/finding_form.html", {"cycle": cycle, "partnership": cycle.partnership, "form": form})


# --- follow-up actions ---------------------------------------------------------------------


def _status_filter(request, queryset):
    status = request.GET.get("status", "")
    if status == "open":
        queryset = queryset.filter(status__in=[FollowUpAction.Status.OPEN, FollowUpAction.Status.IN_PROGRESS])
    elif status in FollowUpAction.Status.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    return queryset.order_by("due_date", "pk"), status


def _my_organisation_ids(user) -> set[int]:
    return set(partners_access.represented_organisation_ids(user).values_list("organisation_id", flat=True))


@login_required
def my_actions(request):
    """The follow-up actions owned by the organisations the user represents."""
    queryset, status = _status_filter(request, access.actions_owned_by(request.user))
    page = _paginate(request, queryset)
    return render(
        request,
        "evaluations/action_list.html",
        {"page": page, "status": status, "statuses": FollowUpAction.Status.choices, "mine": True,
         "my_org_ids": _my_organisation_ids(request.user), "today": timezone.localdate()},
    )


@login_required
def partnership_actions(request, partnership_pk):
    """Every follow-up action of a partnership."""
    partnership = partners_access.partnership_get(request.user, partnership_pk)
    is_coordinator = partners_access.coordinates(request.user, partnership.pk)
    queryset, status = _status_filter(request, access.actions_visible_to(request.user).filter(partnership=partnership))
    page = _paginate(request, queryset)
    return render(
        request,
        "evaluations/action_list.html",
        {"page": page, "status": status, "statuses": FollowUpAction.Status.choices, "mine": False,
         "partnership": partnership, "is_coordinator": is_coordinator,
         "my_org_ids": _my_organisation_ids(request.user), "today": timezone.localdate()},
    )


def _action_form(partnership, *args, **kwargs):
    today = timezone.localdate()
    organisations = Organisation.objects.filter(
        pk__in=partners_access.current_members(partnership.pk, today).values("organisation")
    ).order_by("name")
    findings = selectors.findings_for_partnership(partnership)
    return ActionForm(*args, organisations=organisations, findings=findings, **kwargs)


@login_required
def action_create(request, partnership_pk):
    """The coordinator creates a follow-up action (from a finding when ``?finding=`` is given)."""
    partnership = partners_access.partnership_get(request.user, partnership_pk)
    _require_coordinator(request.user, partnership.pk)
    if request.method == "POST":
        form = _action_form(partnership, request.POST)
        if form.is_valid():
            try:
                action = services.action_create(partnership=partnership, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The follow-up action was created."))
                return redirect(action)
    else:
        initial = {}
        finding_pk = request.GET.get("finding", "")
        if finding_pk.isdecimal() and finding_pk.isascii():
            initial["finding"] = int(finding_pk)
        form = _action_form(partnership, initial=initial)
    return render(request, "evaluations/action_form.html", {"partnership": partnership, "form": form, "action": None})


def _may_update_status(user, action) -> bool:
    return access.may_change_action_status(user, action)


@login_required
def action_detail(request, pk):
    """One follow-up action with its history of changes."""
    action = access.action_get(request.user, pk)
    is_coordinator = partners_access.coordinates(request.user, action.partnership_id)
    may_update = is_coordinator or access.may_change_action_status(request.user, action)
    history = action.history.select_related("history_user").order_by("-history_date", "-history_id")[:20]
    return render(
        request,
        "evaluations/action_detail.html",
        {
            "action": action,
            "partnership": action.partnership,
            "is_coordinator": is_coordinator,
            "may_update": may_update,
            "status_form": ActionStatusForm(initial={"status": action.status}) if may_update else None,
            "history": history,
        },
    )


@login_required
def action_status(request, pk):
    """The owner organisation (or the coordinator) moves an action to another status."""
    action = access.action_get(request.user, pk)
    if not _may_update_status(request.user, action):
        raise Http404
    if request.method == "POST":
        form = ActionStatusForm(request.POST)
        if form.is_valid():
            try:
                services.action_set_status(action=action, user=request.user, status=form.cleaned_data["status"])
            except TransitionError as error:
                messages.error(request, " ".join(error.messages))
            except ValidationError as error:
                add_service_errors(form, error)
                return render(request, "evaluations/action_status.html", {"action": action, "form": form})
            else:
                messages.success(request, _("The status was updated."))
            return redirect(action)
    else:
        form = ActionStatusForm(initial={"status": action.status})
    return render(
        request, "evaluations/action_status.html", {"action": action, "partnership": action.partnership, "form": form}
    )


@login_required
def action_update(request, pk):
    """The coordinator changes an action's title, owner, due date or finding."""
    action = access.action_get(request.user, pk)
    _require_coordinator(request.user, action.partnership_id)
    partnership = action.partnership
    if request.method == "POST":
        form = _action_form(partnership, request.POST, instance=FollowUpAction.objects.get(pk=action.pk))
        if form.is_valid():
            try:
                services.action_update(action=action, user=request.user, **{
                    name: form.cleaned_data[name] for name in ActionForm.Meta.fields
                })
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The follow-up action was updated."))
                return redirect(action)
    else:
        form = _action_form(partnership, instance=action)
    return render(request, "evaluations/action_form.html", {"partnership": partnership, "form": form, "action": action})


# --- decisions ---------------------------------------------------------------------------------


def _decision_filter(request, queryset):
    status = request.GET.get("status", "")
    if status in Decision.Status.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    return queryset.order_by("status", "-closes_at", "-pk"), status


@login_required
def decision_list(request):
    """Every decision the user may see, open ones first."""
    queryset, status = _decision_filter(request, selectors.decisions_for_user(request.user))
    page = _paginate(request, queryset)
    return render(
        request, "evaluations/decision_list.html",
        {"page": page, "status": status, "statuses": Decision.Status.choices, "partnership": None},
    )


@login_required
def partnership_decisions(request, partnership_pk):
    """The decisions of one partnership."""
    partnership = partners_access.partnership_get(request.user, partnership_pk)
    queryset, status = _decision_filter(
        request, selectors.decisions_for_user(request.user).filter(partnership=partnership)
    )
    page = _paginate(request, queryset)
    may_propose = access.may_propose_decision(request.user, partnership.pk)
    return render(
        request, "evaluations/decision_list.html",
        {"page": page, "status": status, "statuses": Decision.Status.choices, "partnership": partnership,
         "may_propose": may_propose},
    )


@login_required
def decision_create(request, partnership_pk):
    """A coordinator or a member's representative proposes a decision."""
    partnership = partners_access.partnership_get(request.user, partnership_pk)
    is_coordinator = partners_access.coordinates(request.user, partnership.pk)
    organisations = Organisation.objects.filter(
        pk__in=access.memberships_acting_in(request.user, partnership.pk).values("organisation")
    ).order_by("name")
    if not is_coordinator and not organisations.exists():
        raise Http404
    form_kwargs = {"organisations": organisations, "organisation_required": not is_coordinator}
    if request.method == "POST":
        form = DecisionForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = dict(form.cleaned_data)
            organisation = data.pop("organisation", None)
            try:
                decision = services.decision_propose(
                    partnership=partnership, user=request.user, organisation=organisation, **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The proposal is open for votes."))
                return redirect(decision)
    else:
        form = DecisionForm(**form_kwargs)
    return render(request, "evaluations/decision_form.html", {"partnership": partnership, "form": form})


@login_required
def decision_detail(request, pk):
    """A decision: the proposal, the vote so far (or the record, once closed) and the user's vote forms."""
    decision = selectors.decision_get(request.user, pk)
    is_coordinator = partners_access.coordinates(request.user, decision.partnership_id)
    votes = list(selectors.votes_for_decision(decision))
    mine = list(access.memberships_voting_for(request.user, decision))
    my_ids = {m.pk for m in mine}
    # While voting is open a partner sees who has voted, not how (so no one votes to follow);
    # the coordinator and, once closed, every member see the whole record.
    show_all = access.votes_shown_in_full(decision, coordinates=is_coordinator)
    voting_open = decision.is_open and decision.closes_at > timezone.now()
    by_member = {v.membership_id: v for v in votes}
    forms = []
    if voting_open:
        for membership in mine:
            forms.append(
                {"membership": membership, "vote": by_member.get(membership.pk),
                 "form": VoteForm(instance=by_member.get(membership.pk), prefix=f"m{membership.pk}")}
            )
    voted = set(by_member)
    not_voted = [m for m in partners_access.current_members(decision.partnership_id, timezone.localdate())
                 if m.pk not in voted]
    rows = [{"vote": v, "show_choice": show_all or v.membership_id in my_ids} for v in votes]
    return render(
        request,
        "evaluations/decision_detail.html",
        {
            "decision": decision,
            "partnership": decision.partnership,
            "is_coordinator": is_coordinator,
            "rows": rows,
            "show_all": show_all,
            "voting_open": voting_open,
            "vote_forms": forms,
            "not_voted": not_voted,
        },
    )


@login_required
def decision_vote(request, pk, membership_pk):
    """A member organisation's vote, cast (or changed while open) by its representative."""
    decision = selectors.decision_get(request.user, pk)
    membership = get_object_or_404(access.memberships_voting_for(request.user, decision), pk=membership_pk)
    vote = decision.votes.filter(membership=membership).first()
    prefix = f"m{membership.pk}"
    if request.method == "POST":
        form = VoteForm(request.POST, instance=vote, prefix=prefix)
        if form.is_valid():
            try:
                services.vote_cast(
                    decision=decision, membership=membership, user=request.user,
                    choice=form.cleaned_data["choice"], comment=form.cleaned_data["comment"],
                )
            except TransitionError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(decision)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your organisation's vote was recorded."))
                return redirect(decision)
    else:
        form = VoteForm(instance=vote, prefix=prefix)
    return render(
        request, "evaluations/vote_form.html",
        {"decision": decision, "partnership": decision.partnership, "membership": membership, "form": form,
         "vote": vote},
    )


@login_required
def decision_close(request, pk):
    """The coordinator closes a decision before its time (GET asks for confirmation)."""
    decision = selectors.decision_get(request.user, pk)
    _require_coordinator(request.user, decision.partnership_id)
    if request.method == "POST":
        try:
            services.decision_close(decision=decision, user=request.user)
        except TransitionError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The decision is closed: %(outcome)s.") % {
                "outcome": decision.get_outcome_display()})
        return redirect(decision)
    return render(request, "evaluations/decision_confirm_close.html", {"decision": decision, "partnership": decision.partnership})

