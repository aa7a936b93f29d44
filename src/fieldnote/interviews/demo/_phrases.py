"""Phrase banks for the demo participants.

Each template is a small grammar: ``[a|b|c]`` is one of the alternatives (chosen per
use), ``{field}`` a persona detail. A template therefore stands for dozens of
paraphrases, so the same problem recurs across people in different words, lengths and
orders, as it does in real interviews: a synthesis that only works when people repeat
each other word for word would pass on a template-identical demo and fail on real data.
"""

from __future__ import annotations

__all__ = ["ADMIN", "ADMIN_FOLLOW_UPS", "INTENTS", "STORIES"]

ADMIN = "admin_access"

STORIES: dict[str, tuple[str, ...]] = {
    ADMIN: (
        "[I was {place}|This was {place}|It happened {place}] and [wanted to|tried to|was about to] [connect|link|hook up] {integration} from my {phone}. [It went to a screen saying|A message came up that|It told me] only [an admin|an administrator|a workspace admin] of {integration} can [install|approve] it, and that is {owner}, not me. [There was no button to ask them|The app gave me no way to ask them|I couldn't send them a request from the app], so I [just closed the app|gave up|left it there].",
        "Setting up the {integration} [connection|integration] on my {phone}, it [stopped me|blocked me] with an error about admin [access|rights|permissions]. I don't have [admin rights|admin access|those permissions] in {integration}, {owner} does. [I didn't know what to do next, so I left it.|That was the end of it for that day.|So that was that.]",
        "It was during the trial. I got to the step where you connect {integration}, [tapped it|pressed connect], logged in, and then it said I need [admin permission|an admin to approve it|administrator rights]. [On the phone there is no way to send a request to {owner}|There's no way to ask {owner} from the phone], so the setup [just sat there half done for a week|stayed half finished|never got finished].",
        "I tried to link {integration} {place}. It asked for [an administrator|an admin|someone with admin rights] to approve the app, and in our company that is {owner}. I [took a screenshot and sent it to them|forwarded the message to them|messaged them about it], and honestly I forgot about it after that.",
        "The connect step on the {phone} failed for me, it wanted an admin account for {integration}. I'm just a regular user there. I tried [twice|a couple of times|three times], same message, so I gave up on the phone.",
        "[Basically|Short version,] the app [needs|wants] {integration} admin permission to [install|connect] and I'm not the admin, {owner} is. [It's a dead end on mobile.|You just hit a wall.]",
        "When I [hit|tapped] connect it said my {integration} role [doesn't have permission|isn't allowed] to install apps and that I should ask an admin. [Which, fine|Okay, fair enough], but there was no way to ask from the app, so [nothing happened|I dropped it|it's still not connected].",
    ),
    "slow_reports": (
        "The reports take forever to load on mobile, like [ten|fifteen|twenty] seconds for the revenue one, and sometimes it times out [on a train|in the lift|on bad wifi].",
        "When I open a big dashboard on my {phone} it [spins|loads] for a long time. I end up [waiting|staring at the spinner] before a meeting.",
        "[Speed|Loading] is my [other|biggest] complaint. Anything with more than a few charts is slow on the phone.",
        "The monthly report [is really slow|crawls] on mobile, I usually give up and open it later.",
    ),
    "small_charts": (
        "The charts are hard to read on a small screen. The labels overlap and I have to zoom in, and then I lose the legend.",
        "On the phone the bar charts [squeeze together|get cramped], so I can't tell which week is which without rotating the phone.",
        "[Reading|Making sense of] the line charts on a phone [is tough|is fiddly], the axis labels are tiny.",
        "I [keep pinching to zoom|zoom in all the time] on the charts because the numbers are so small on mobile.",
    ),
    "notifications": (
        "I get too many notifications. Every small change in a metric pings me, so I muted the app and then missed the one alert that mattered.",
        "The alerts come at odd hours, like [eleven at night|six in the morning], for things that can wait until Monday.",
        "[Notifications|The push alerts] are [way too noisy|too much]. I [turned them off|switched them off] after the first week.",
        "I'd like to choose which alerts [reach me|ping my phone], right now it's all or nothing.",
    ),
    "pricing": (
        "I couldn't work out which plan I needed. The pricing page talks about seats and I have a team of {team}, some of them only look once a month.",
        "The trial ended and the upgrade screen asked me to pick a plan, but it wasn't clear if mobile access is in the cheaper one.",
        "[The pricing|The plans page] confused me, [I still don't know|it's unclear] what we'd pay for {team} people.",
    ),
    "export": (
        "Exporting a report from the phone is awkward. I wanted a CSV for our finance person and ended up emailing myself a screenshot.",
        "I needed the numbers in a spreadsheet for {tracks}, and from the app I could only share a picture of the chart.",
        "[There's no export on mobile|I can't export from the phone], so I [copy the numbers by hand|wait until I'm at my laptop].",
    ),
    "login": (
        "Logging in on the phone is a pain with the two-factor code. The code goes to my email, I switch apps, and by the time I'm back it has expired.",
        "I got logged out every few days on my {phone}, and each time I had to find the password again.",
        "The app [keeps logging me out|forgets my login], it's [annoying|tiresome] to sign in again every time.",
    ),
    "sharing": (
        "I wanted to share one dashboard with my boss, but sharing asks them to create an account, and they just want a link.",
        "Sharing from mobile only gives me a link that my colleagues can't open without signing up.",
        "I [wish|would love it if] I could [send|share] a dashboard to someone without them signing up first.",
    ),
    "sync_delay": (
        "The numbers were behind. Sales from the morning were not there at lunch, so I didn't trust the dashboard in the meeting.",
        "Sometimes the data is a few hours old and I can't tell, there is no clear last updated time on the phone.",
        "The [figures|numbers] lag behind {integration} by [hours|half a day], which makes me [second-guess|double check] them.",
    ),
}

# (question pattern, everyone's answers). Answers are persona-specific through the
# fields, so the same question gets different words from different people.
INTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"what did i miss",
        (
            "That's right.",
            "Pretty much, yes.",
            "Yes. And that it happens more on the phone than on the laptop.",
            "That's it, mostly.",
            "Yes, that's a fair summary.",
            "[Yep|Yes], nothing to add.",
        ),
    ),
    (
        r"last time this came up",
        (
            "[Last week|Ten days ago|Last month], more or less. I [did it later from the laptop|sorted it out at my desk].",
            "A few days ago. [Same story|The same thing], I waited and did something else.",
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
            "[Well, it's just that|It's that] I do most of this on my phone, so anything that doesn't work there [stops me|holds me up].",
            "I'm busy, so I use the app in short bursts, [a couple of minutes|five minutes] at a time.",
            "Not much more to say, I [just want things to work|want it to work] when I have a spare minute.",
        ),
    ),
    (
        r"role and what a typical week",
        (
            "I'm a {job}. Most weeks I'm looking at {tracks}, usually [Monday morning|first thing on Monday] and again before [Friday's meeting|the weekly review].",
            "I work as {job} in a team of {team}. My week is [meetings|calls and meetings], and in between I check {tracks} on my phone.",
            "So I'm the {job}. I travel a lot, so [honestly|to be fair] the phone is where I see {tracks}.",
            "{job}, [for about three years|since last spring]. [A typical week|Most of my week] is {tracks} and a lot of email.",
        ),
    ),
    (
        r"device and the place",
        (
            "It was my {phone}, and I was {place}.",
            "On my {phone}, {place}. I [almost never|rarely] open the laptop for this.",
            "{phone}. [I think|I'm fairly sure] I was {place}.",
        ),
    ),
    (
        r"use your (phone|computer)",
        (
            "It's what I have with me. The laptop stays at the office.",
            "Because I had a few minutes and the phone was in my hand.",
            "[Habit, really|Convenience]. I'm rarely at a desk.",
        ),
    ),
    (
        r"tools you used",
        (
            "Spreadsheets mostly, plus {integration}. [Before Pulseboard|Until now] I copied numbers from {integration} into a sheet by hand.",
            "{integration} for the raw data, and a shared spreadsheet that {owner} maintains.",
            "A mix. {integration}, email, and a slide I update every week.",
        ),
    ),
    (
        r"trying to accomplish right before",
        (
            "I wanted to get {tracks} into one place so I could stop [building the spreadsheet|rebuilding the sheet] every week.",
            "I was trying to finish the setup so the dashboard would fill itself with {tracks}.",
            "My goal was to have {tracks} on my phone before the [Monday|weekly] meeting.",
        ),
    ),
    (
        r"expect to happen next",
        (
            "That it would just connect and show my data, like when you log in to any app with Google.",
            "I expected a login screen, then data. [Maybe a minute|A couple of minutes at most].",
            "I thought it would pull the last few months of numbers straight away.",
        ),
    ),
    (
        r"happened instead",
        (
            "[It connected, but|It worked, but then] [the first report took ages|the charts were tiny|I got logged out].",
            "[Nothing dramatic|Not much], it was just [clunky|slower than I hoped].",
        ),
    ),
    (
        r"who else was involved",
        (
            "Nobody [really|at first], I [sorted it out|dealt with it] myself.",
            "[A colleague|Someone from my team] helped me [look at it|try it again].",
        ),
    ),
    (
        r"get around it|tried so far|how well did that work",
        (
            "I went back to the [spreadsheet|old sheet] for that week. It's slower but at least I control it.",
            "[A colleague|Someone on my team] [sent me|forwarded] the [figures|export] [by email|on Slack] [instead|that week].",
            "I [waited until|did it when] I was at my laptop, which [works|is fine] but [defeats the point of the app|isn't why I installed it].",
            "[Honestly|To be honest], I just live with it.",
        ),
    ),
    (
        r"last time that happened|walk me through it",
        (
            "[Last Tuesday|On Thursday]. I opened the app {place}, tried again, and got stuck at the same point.",
            "[Yesterday|This Monday], [more or less|roughly]. [Same thing|Same situation], {place}.",
            "The last time was at the end of the month. I needed {tracks} quickly and it wasn't there.",
        ),
    ),
    (
        r"mean for (your|the rest of your) day",
        (
            "I lost [maybe|around|about] {minutes} minutes, and [I went into the meeting without the numbers|the numbers weren't ready for the meeting].",
            "It meant I had to redo the report by hand that evening, about {minutes} minutes.",
            "[Mostly annoyance|Irritation, mainly]. [It's small|Nothing huge], but it adds up.",
            "[I was late with|I had to postpone|I skipped] the [update|summary] for [my manager|the team] [that day|that week].",
        ),
    ),
    (
        r"outcome look like",
        (
            "I open the app, the numbers are there and current, and I can forward them without thinking.",
            "Good looks like not building a spreadsheet on Sunday night.",
            "[Ideally|In a perfect world] I [glance at|check] {tracks} [over coffee|on the way in] and [I'm done|that's it].",
            "Success is [walking into|joining] the [Monday|weekly] [meeting|call] already knowing {tracks}.",
            "[Everything|All my numbers] in one place on my phone, [no fiddling|no setup].",
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
            "[My team|The others] [mostly|usually] [check things|look at numbers] on [the big screen|their laptops], I'm [the odd one out|different].",
            "[A few|Two] [colleagues|people on my team] [use the phone app|are on mobile] too, the rest [don't bother|stick to the desktop].",
            "[Same for most of the team|Everyone I know has the same issue], as far as I know.",
        ),
    ),
    (
        r"cost you",
        (
            "A few hours a month, I'd say. More in the weeks with board meetings.",
            "[Hard to put a number on it|Difficult to say], [maybe|perhaps] {minutes} minutes [here and there|each time].",
            "Probably {minutes} minutes a week, plus the times I just didn't have the numbers.",
        ),
    ),
    (
        r"what else should i have asked",
        (
            "Maybe about notifications, they drive me a bit crazy.",
            "Nothing, I think you covered it.",
            "You could ask about sharing, that's the other thing that bugs me.",
            "[No|Nope], [that was thorough|I think that's everything|all good].",
            "[Maybe|Perhaps] [ask|talk to] people who [use it at a desk|aren't on mobile], they'd [say different things|see it differently].",
        ),
    ),
)

# What someone who hit the admin screen says to the follow-ups about that episode:
# the same episode told again from another side (who, what instead, the workaround).
ADMIN_FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    r"happened instead": (
        "[It just showed|It stayed on] the [admin permission message|'ask your admin' screen] and [nothing else happened|I couldn't go further].",
        "[Nothing|It stopped there]. Without admin [rights|access] in {integration} the app [won't connect|can't install].",
    ),
    r"who else was involved": (
        "[Only {owner}|{owner}, in the end], because they [have the admin rights|are the {integration} admin|hold the admin permissions].",
        "I had to [chase|ask] {owner}, they're the only admin for {integration}.",
    ),
    r"get around it|tried so far|how well did that work": (
        "I [sent a screenshot to|messaged|emailed] {owner} and asked them to [approve the app|give me admin access|install it for me], and [did the rest later on my laptop|it took about two days].",
        "[I asked|I pinged] {owner} [on Slack|by email] to approve the {integration} install; [they did it two days later|I'm still waiting].",
        "I [waited for|gave up and waited for] {owner} to grant the admin permission, there's no other way around it.",
    ),
}
