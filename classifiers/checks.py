"""What the classify stage would reject in a config, found without starting it.

The names come from the same places the stage takes them from: labels from the model it would
load (its ``model.json``, or the bundled labels when the default model is still to be built),
groups from :func:`classifiers.gazetteer.gazetteer_for`. A new watch field with a vocabulary of
its own adds its check here (places: the classifier's geography).
"""

from __future__ import annotations

from newswatch.config import Config
from newswatch.config.problems import Problem, unknown

KEYWORDS_ONLY = 'labels need the model: [classifier] kind is "keywords" (set kind = "model")'


def known_labels(config: Config) -> tuple[list[str], list[Problem]]:
    """Labels the classify stage would score, and a problem if its model would not load."""
    if config.classifier.kind == "keywords":
        return [], []
    from classifiers.artifact import META_FILE, ModelError, loadable_metadata
    from classifiers.base import LABELS
    from classifiers.defaults import model_dir

    directory = model_dir(config)
    if not (directory / META_FILE).exists():
        return list(LABELS), []  # the default model, trained from the bundled corpus at start
    try:
        meta = loadable_metadata(directory)
    except ModelError as exc:
        return list(LABELS), [Problem(("classifier", "model_path"), str(exc))]
    return [str(lb) for lb in meta.get("labels", LABELS)], []


def known_groups(config: Config) -> tuple[list[str], list[Problem]]:
    """Canonical names the classify stage would know (bundled and the user's), and the
    problems of the user's groups (bad groups file, colliding or repeated aliases)."""
    from classifiers.gazetteer import default_gazetteer, gazetteer_for
    from classifiers.usergroups import GroupsError

    try:
        return list(gazetteer_for(config).groups), []
    except GroupsError as exc:  # still check watches against every name the user meant
        names = [*default_gazetteer().groups, *(g.name for g in config.groups)]
        return names, exc.items


def check_config(config: Config) -> list[Problem]:
    from classifiers.rules import place_problems, watch_problems

    labels, problems = known_labels(config)
    groups, group_problems = known_groups(config)
    problems += group_problems
    unavailable = KEYWORDS_ONLY if config.classifier.kind == "keywords" else ""
    problems += watch_problems(config.watches, groups, labels, unavailable)
    problems += place_problems(config.watches)
    # A route's labels match label names (score >= 0.5) or canonical group names.
    names = labels + groups
    for i, route in enumerate(config.routes):
        for j, name in enumerate(route.labels):
            if name not in names:
                problems.append(Problem(("routes", i, "labels", j),
                                        unknown("label or group", name, names)))
    return problems
