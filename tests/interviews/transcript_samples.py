"""Realistic transcript files in every supported format, as the tools export them."""

from __future__ import annotations

from pathlib import Path

import docx

ZOOM_VTT = """WEBVTT

1
00:00:01.200 --> 00:00:05.800
Dana Reyes: Thanks for making time. Tell me about the last time you set up an integration.

2
00:00:10.300 --> 00:00:14.000
Sam Okafor: Um, so that was last Tuesday, on the train, from my phone.

3
00:00:14.000 --> 00:00:19.500
Sam Okafor: I tapped HubSpot and it said I needed an admin, I mean an admin of HubSpot.

4
00:00:20.000 --> 00:00:22.000
Dana Reyes: What did you do then?

5
00:00:22.800 --> 00:00:27.000
Sam Okafor: I gave up and sent my boss a screenshot.
"""

TEAMS_VTT = """WEBVTT

6c2c0a1e-1/12-0
00:00:00.000 --> 00:00:03.500
<v Interviewer>What were you trying to do right before this screen?</v>

6c2c0a1e-1/18-0
00:00:04.100 --> 00:00:09.250
<v Priya Nair>Build the weekly sales report, uh, like every Monday.</v>
"""

MEET_SRT = """1
00:00:01,000 --> 00:00:03,000
MODERATOR: What happened after you saw the error?

2
00:00:07,500 --> 00:00:11,000
P1: Nothing. I closed the app, honestly.
"""

OTTER_TXT = """Dana Reyes  0:00
How do you share numbers with your manager today?

Lee Wong  0:06
Mostly screenshots. You know, it's quick.
Sometimes a PDF on Fridays.

Dana Reyes  0:21
When did you last send one?

Lee Wong  0:25
Yesterday, the the revenue chart.
"""

PLAIN_TXT = """Interviewer: Walk me through your Monday morning.
Maria Costa: I open the dashboard before email.
Then I check Slack for questions.
Interviewer: What do you look at first?
Maria Costa: Revenue, then sign-ups.
"""

TRANSCRIPT_JSON = """{"utterances": [
  {"speaker": "Researcher", "text": "What did you expect to happen?", "start": 0.0, "end": 2.5},
  {"speaker": "Kim", "text": "That it would just connect.", "start": 8.0, "end": 10.0},
  {"speaker": "Researcher", "text": "And then?", "start": "00:00:11", "end": "00:00:12"},
  {"speaker": "Kim", "text": "It asked for my admin.", "start": 12.4, "end": 14.0}
]}"""

TEXT_SAMPLES = {
    "zoom.vtt": ZOOM_VTT,
    "teams.vtt": TEAMS_VTT,
    "meet.srt": MEET_SRT,
    "otter.txt": OTTER_TXT,
    "notes.txt": PLAIN_TXT,
    "whisper.json": TRANSCRIPT_JSON,
}


def write_docx(path: Path, lines: list[str]) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def write_samples(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in TEXT_SAMPLES.items():
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")
    paths["teams.docx"] = write_docx(
        folder / "teams.docx",
        [
            "Ana Silva   0:03",
            "Who decides which tools your team can connect?",
            "Tom Berg   0:09",
            "Our IT lead. I have to open a ticket, which takes days.",
        ],
    )
    return paths
