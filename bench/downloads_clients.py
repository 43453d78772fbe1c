"""The listener clients of the download counting benchmark (bench/downloads_traffic.py): 13 families of
user agents, each with its share of listeners, its activity and how it fetches an episode."""

from __future__ import annotations

FULL, IOS, OPEN, SEEK, EVENT, BOT = range(6)  # how a session fetches: full GET, Apple's probe+chunks, ...


def families() -> list[tuple[str, float, float, tuple[float, ...], list[str]]]:
    """(name, share of listeners, activity, P(FULL, IOS, OPEN, SEEK, EVENT), user agents)."""
    ios = [("20H115", "16_7_2"), ("21A351", "17_0_2"), ("21C66", "17_2_1"), ("21E236", "17_4_1"),
           ("21F90", "17_5_1"), ("21G93", "17_6_1"), ("22A3354", "18_0"), ("22B83", "18_1"),
           ("22C152", "18_2")]
    locales = ("en_us", "en_gb", "de_de", "fr_fr", "es_es", "en_au", "en_ca", "ja_jp", "pt_br", "nl_nl",
               "sv_se")
    apple = [f"AppleCoreMedia/1.0.0.{b} ({d}; U; CPU OS {v} like Mac OS X; {loc})"
             for b, v in ios for d in ("iPhone", "iPhone", "iPad") for loc in locales]
    apple += [f"AppleCoreMedia/1.0.0.23{b} (Macintosh; U; Intel Mac OS X 14_{m}; en_us)" for b, m in
              (("E224", "4_1"), ("F79", "5"), ("G93", "6_1"))]
    podcasts = [f"Podcasts/{v} CFNetwork/{cf} Darwin/{dw}" for v, cf, dw in
                (("1.1.0", "1494.0.7", "23.4.0"), ("1.1.0", "1496.0.7", "23.5.0"),
                 ("1.1.0", "1498.700.2", "23.6.0"),
                 ("4018.1", "1568.100.1", "24.1.0"), ("4025.2", "1568.200.51", "24.2.0"))]
    models = ("SM-G991B", "SM-S918B", "Pixel 7", "Pixel 8 Pro", "M2101K6G", "CPH2451", "SM-A536B",
              "moto g(60)")
    spotify = ([f"Spotify/8.9.{x} Android/{a} ({m})" for x in (10, 18, 36, 52) for a in (31, 33, 34)
                for m in models]
               + [f"Spotify/8.9.{x} iOS/{v} (iPhone{p})" for x in (10, 36) for v in ("17.4.1", "18.1")
                  for p in ("14,5", "15,2", "16,1")])
    overcast = ["Overcast/3.0 (+http://overcast.fm/; iOS podcast app)", "Overcast/1.0 Podcast Sync (+http://overcast.fm/)"]
    pocket = [f"PocketCasts/1.0 (Pocket Casts - iOS - v7.{x})" for x in range(55, 66)] + \
             [f"Pocket Casts/7.{x} (Android {a})" for x in range(60, 70) for a in (13, 14)]
    addict = [f"Podcast Addict - v2024.{x} - Dalvik/2.1.0 (Linux; U; Android {a}; {m} Build/UP1A.231005.007)"
              for x in range(1, 9) for a in (12, 13, 14) for m in models]
    antenna = [f"AntennaPod/3.{x}.{y}" for x in range(2, 6) for y in range(4)]
    castbox = [f"CastBox/10.{x}.0-240{x}01 (fm.castbox.audio.radio.podcast.app; Android {a}) okhttp/4.12.0"
               for x in range(5) for a in (12, 13, 14)]
    browsers = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 "
        "Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.{w} Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 "
        "Mobile Safari/537.36"]
    browsers = [b.format(v=v, w=v % 7) for b in browsers for v in range(118, 132)]
    alexa = ["AlexaMediaPlayer/2.1.4676.0 (Linux;Android 5.1.1) ExoPlayerLib/1.5.9",
             "AlexaMediaPlayer/16.200.1.0 (Linux;Android 9) ExoPlayerLib/2.18.1", "Echo/1.0(APNG)",
             "Google-Speech-Actions", "Sonos/80.1-55014 (ZPS38)", "Sonos/79.1-52020 (ZPS23)"]
    watch = [f"atc/1.0 watchOS/{w} model/Watch{m} hwp/t8301 build/{b} (6; dt:264)"
             for w, b in (("10.4", "21T216"), ("10.6", "21U580"), ("11.1", "22R423"))
             for m in ("6,1", "6,14", "7,3")]
    other = ["播客/1.0 CFNetwork/1410.0.3 Darwin/22.6.0",
             "%E5%B0%8F%E5%AE%87%E5%AE%99/2.67.1 CFNetwork/1494.0.7",
             "Podcast Republic 24.4.12 (Android 13; Écouter)", "PodcastGuru/4.2 (iPhone; iOS 17.4)", "-", "",
             "Player FM/7.0 (Android 14)", "Castro/2024.4 (iPhone; iOS 17.5)", "Fountain/1.1.2 (Android 14)"]
    bots = ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "curl/8.4.0",
            "curl/7.81.0", "python-requests/2.31.0", "Go-http-client/1.1", "Go-http-client/2.0",
            "Wget/1.21.4", "Mozilla/5.0",
            "Feedfetcher-Google; (+http://www.google.com/feedfetcher.html)", "UptimeRobot/2.0",
            "PodcastIndex.org/1.1", "iTMS", "Podnews Podcast Checker",
            "Apache-HttpClient/4.5.14 (Java/17.0.9)",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/120.0"]
    app = (0.55, 0.0, 0.35, 0.0, 0.10)
    return [
        ("apple", 0.34, 1.0, (0.04, 0.80, 0.06, 0.0, 0.10), apple),
        ("podcasts", 0.05, 1.0, (0.10, 0.76, 0.04, 0.0, 0.10), podcasts),
        ("spotify", 0.14, 1.0, app, spotify),
        ("overcast", 0.04, 1.2, (0.80, 0.0, 0.10, 0.0, 0.10), overcast),
        ("pocketcasts", 0.04, 1.2, app, pocket),
        ("addict", 0.07, 1.2, (0.60, 0.0, 0.30, 0.0, 0.10), addict),
        ("antennapod", 0.02, 1.2, (0.60, 0.0, 0.30, 0.0, 0.10), antenna),
        ("castbox", 0.02, 1.0, app, castbox),
        ("browser", 0.13, 0.6, (0.10, 0.0, 0.30, 0.50, 0.10), browsers),
        ("speaker", 0.04, 0.8, (0.20, 0.0, 0.60, 0.10, 0.10), alexa),
        ("watch", 0.01, 0.8, (0.80, 0.0, 0.10, 0.0, 0.10), watch),
        ("other", 0.09, 0.8, (0.50, 0.20, 0.20, 0.0, 0.10), other),
        ("bot", 0.01, 8.0, (0.0, 0.0, 0.0, 0.0, 0.0), bots),
    ]
