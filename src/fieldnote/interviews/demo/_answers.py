"""What a demo participant says: phrase banks by intent and topic, filled from the
persona and varied (openers, fillers, self-corrections), so no two interviews read
alike while the same underlying problems recur across participants."""

from __future__ import annotations

import random
import re

from fieldnote.interviews.demo._people import Persona

__all__ = ["ADMIN", "answer_for"]

ADMIN = "admin_access"

STORIES: dict[str, tuple[str, ...]] = {
    ADMIN: (
        "I was {place} and wanted to connect {integration} from my {phone}. It went to a screen saying only an admin of {integration} can install it, and that is {owner}, not me. There was no button to ask them, so I just closed the app.",
        "Setting up the {integration} connection on my {phone}, it stopped me with an error about admin access. I don't have admin rights in {integration}, {owner} does. I didn't know what to do next, so I left it.",
        "It was during the trial. I got to the step where you connect {integration}, tapped it, logged in, and then it said I need admin permission. On the phone there is no way to send a request to {owner}, so the setup just sat there half done for a week.",
        "I tried to link {integration} {place}. It asked for an administrator to approve the app, and in our company that is {owner}. I took a screenshot and sent it to them, and honestly I forgot about it after that.",
        "The connect step on the {phone} failed for me, it wanted an admin account for {integration}. I'm just a regular user there. I tried twice, same message, so I gave up on the phone.",
    ),
    "slow_reports": (
        "The reports take forever to load on mobile, like ten or fifteen seconds for the revenue one, and sometimes it times out on a train.",
        "When I open a big dashboard on my {phone} it spins for a long time. I end up waiting with the app open and staring at it before a meeting.",
    ),
    "small_charts": (
        "The charts are hard to read on a small screen. The labels overlap and I have to zoom in, and then I lose the legend.",
        "On the phone the bar charts squeeze together, so I can't tell which week is which without rotating the phone.",
    ),
    "notifications": (
        "I get too many notifications. Every small change in a metric pings me, so I muted the app and then missed the one alert that mattered.",
        "The alerts come at odd hours, like eleven at night, for things that can wait until Monday.",
    ),
    "pricing": (
        "I couldn't work out which plan I needed. The pricing page talks about seats and I have a team of {team}, some of them only look once a month.",
        "The trial ended and the upgrade screen asked me to pick a plan, but it wasn't clear if mobile access is in the cheaper one.",
    ),
    "export": (
        "Exporting a report from the phone is awkward. I wanted a CSV for our finance person and ended up emailing myself a screenshot.",
        "I needed the numbers in a spreadsheet for {tracks}, and from the app I could only share a picture of the chart.",
    ),
    "login": (
        "Logging in on the phone is a pain with the two-factor code. The code goes to my email, I switch apps, and by the time I'm back it has expired.",
        "I got logged out every few days on my {phone}, and each time I had to find the password again.",
    ),
    "sharing": (
        "I wanted to share one dashboard with my boss, but sharing asks them to create an account, and they just want a link.",
        "Sharing from mobile only gives me a link that my colleagues can't open without signing up.",
    ),
    "sync_delay": (
        "The numbers were behind. Sales from the morning were not there at lunch, so I didn't trust the dashboard in the meeting.",
        "Sometimes the data is a few hours old and I can't tell, there is no clear last updated time on the phone.",
    ),
}

_INTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"what did i miss",
        (
            "That's right.",
            "Pretty much, yes.",
            "Yes. And that it happens more on the phone than on the laptop.",
            "That's it, mostly.",
            "Yes, that's a fair summary.",
        ),
    ),
    (
        r"last time this came up",
        (
            "Last week, more or less the same thing. I did it later from the laptop.",
            "A few days ago. Same story, I waited and did something else.",
        ),
    ),
    (
        r"questions do you have",
        (
            "None really, go ahead.",
            "How long will this take?",
            "No questions, I'm ready.",
            "Is this recorded? Okay, fine, let's start.",
        ),
    ),
    (
        r"tell me more",
        (
            "Well, it's just that I do most of this on my phone, so anything that doesn't work there stops me.",
            "I mean, I'm busy, so I use the app in short bursts, a couple of minutes at a time.",
            "Not much more to say, I just want things to work when I have a spare minute.",
        ),
    ),
    (
        r"role and what a typical week",
        (
            "I'm a {job}. Most weeks I'm looking at {tracks}, usually Monday morning and again before Friday's meeting.",
            "I work as {job} in a team of {team}. My week is meetings, and in between I check {tracks} on my phone.",
            "So I'm the {job}. I travel a lot, so honestly the phone is where I see {tracks}.",
        ),
    ),
    (
        r"device and the place",
        (
            "It was my {phone}, and I was {place}.",
            "On my {phone}, {place}. I almost never open the laptop for this.",
        ),
    ),
    (
        r"use your (phone|computer)",
        (
            "It's what I have with me. The laptop stays at the office.",
            "Because I had a few minutes and the phone was in my hand. That's when I do these things.",
        ),
    ),
    (
        r"tools you used",
        (
            "Spreadsheets mostly, plus {integration}. Before Pulseboard I copied numbers from {integration} into a sheet by hand.",
            "{integration} for the raw data, and a shared spreadsheet that {owner} maintains.",
            "A mix. {integration}, email, and a slide I update every week.",
        ),
    ),
    (
        r"trying to accomplish right before",
        (
            "I wanted to get {tracks} into one place so I could stop building the spreadsheet every week.",
            "I was trying to finish the setup so the dashboard would fill itself with {tracks}.",
            "My goal was to have {tracks} on my phone before the Monday meeting.",
        ),
    ),
    (
        r"expect to happen next",
        (
            "That it would just connect and show my data, like when you log in to any app with Google.",
            "I expected a login screen, then data. Maybe a minute.",
            "I thought it would pull the last few months of numbers straight away.",
        ),
    ),
    (
        r"happened instead",
        (
            "It stopped with that message and nothing else happened.",
            "Nothing. It just left me on the error.",
        ),
    ),
    (
        r"who else was involved",
        (
            "Only {owner}, in the end, because they have the rights.",
            "Nobody at first. Later I had to ask {owner}.",
        ),
    ),
    (
        r"get around it|tried so far|how well did that work",
        (
            "I sent a screenshot to {owner} and asked them to do it, and I did the rest later on my laptop.",
            "I went back to the spreadsheet for that week. It's slower but at least I control it.",
            "I asked {owner} on Slack, they said they would look at it, and it took about two days.",
        ),
    ),
    (
        r"last time that happened|walk me through it",
        (
            "Last Tuesday. I opened the app {place}, tried again, and got stuck at the same point.",
            "The last time was at the end of the month. I needed {tracks} quickly and it wasn't there.",
        ),
    ),
    (
        r"mean for (your|the rest of your) day",
        (
            "I lost maybe {minutes} minutes, and I went into the meeting without the numbers.",
            "It meant I had to redo the report by hand that evening, about {minutes} minutes.",
            "Mostly annoyance. And {owner} got another request from me, which I don't love.",
        ),
    ),
    (
        r"outcome look like",
        (
            "I open the app, the numbers are there and current, and I can forward them without thinking.",
            "Good looks like not building a spreadsheet on Sunday night.",
        ),
    ),
    (
        r"time it went that way|time it went",
        (
            "When the data was already connected by someone else, it was great, I just looked at it.",
            "Once, for a week, {owner} set everything up and I only had to read it.",
        ),
    ),
    (
        r"other people around you",
        (
            "Most of my colleagues wait until they're at a desk. I'm the impatient one.",
            "{owner} does this kind of setup for everyone, so people queue for them.",
        ),
    ),
    (
        r"cost you",
        (
            "A few hours a month, I'd say. More in the weeks with board meetings.",
            "Probably {minutes} minutes a week, plus the times I just didn't have the numbers.",
        ),
    ),
    (
        r"what else should i have asked",
        (
            "Maybe about notifications, they drive me a bit crazy.",
            "Nothing, I think you covered it.",
            "You could ask about sharing, that's the other thing that bugs me.",
        ),
    ),
)

_OPENERS = ("", "", "", "Um, ", "So, ", "Honestly, ", "Uh, ", "Well, ", "Yeah, ")
_CORRECTIONS = (
    " It was Tuesday, no wait, Wednesday.",
    " I mean, that's how I remember it.",
    "",
    "",
    "",
)


def _fill(template: str, p: Persona, rng: random.Random) -> str:
    text = template.format(
        place=p.place,
        integration=p.integration,
        phone=p.phone,
        owner=p.owner,
        job=p.job,
        tracks=p.tracks,
        team=p.team_size,
        minutes=p.minutes_lost,
    )
    return text[:1].upper() + text[1:]


_KEEP_CASE = re.compile(r"^(?:I\b|I'|HubSpot|Salesforce|Slack|Google|Stripe|Pulseboard|[A-Z]{2})")


def _vary(text: str, rng: random.Random) -> str:
    opener = rng.choice(_OPENERS)
    if opener:
        text = opener + (text if _KEEP_CASE.match(text) else text[:1].lower() + text[1:])
    if rng.random() < 0.25:
        text += rng.choice(_CORRECTIONS)
    return text


def story(topic: str, p: Persona, rng: random.Random) -> str:
    return _vary(_fill(rng.choice(STORIES[topic]), p, rng), rng)


def answer_for(question: str, p: Persona, rng: random.Random) -> str | None:
    """A reply to a question by intent, or None when the question is about the problem
    itself (the caller tells a story from the participant's topics instead)."""
    lowered = question.lower()
    for pattern, options in _INTENTS:
        if re.search(pattern, lowered):
            return _vary(_fill(rng.choice(options), p, rng), rng)
    return None
