"""The words `guard.py` looks for, per language (English, French, German, Spanish).

Each feature is a few regular expressions per language ("any": all languages). They name kinds
of words, not the phrasings of one attack: the logistic model in guard_weights.json decides how
much each counts. `WRAPPERS` are the forms that wrap a claim in an order to say it; the text
after a match is the claim (`guard.wrapped_claim`).
"""

from __future__ import annotations

import re

STOPWORDS = {  # words frequent in one of the four languages and rare in the others
    "en": set(
        "the and of to is are was were that this with for you your it on be by as at from have "
        "has an or not if when what who which will would should must can".split()
    ),
    "fr": set(
        "le les des est et une un qui vous votre vos pour dans du au aux sur pas ce cette "
        "sont été avec ne il elle ils nous tu ton ses leur plus où très".split()
    ),
    "de": set(
        "der die das und ist nicht mit zu den ein eine dem auf sie ich du dass wenn oder auch "
        "sich wird werden wurde von im für bei als des sind ihre deine".split()
    ),
    "es": set(
        "el los las y es una por con para del se su al lo como más pero sus le ya fue "
        "este esta usted cuando si tu muy sin sobre está son también tiene".split()
    ),
}

IGNORE = re.IGNORECASE


def _c(*patterns: str, flags: int = IGNORE) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, flags) for p in patterns)


# Where an imperative may stand: the start of the sentence or of a clause, after a banner,
# a bullet, a quote mark or a polite word.
_START = r"(?:^|[:;,.!?\"“”«»„()\[\]\-–—*#>|]\s*|\b(?:and|then|please|kindly|just|simply|always|now)\s+)"
_START_FR = r"(?:^|[:;,.!?\"“”«»„()\[\]\-–—*#>|]\s*|\b(?:et|puis|alors|toujours|simplement)\s+)"
_START_DE = r"(?:^|[:;,.!?\"“”«»„()\[\]\-–—*#>|]\s*|\b(?:und|dann|bitte|immer|einfach)\s+)"
_START_ES = r"(?:^|[:;,.!?¿¡\"“”«»„()\[\]\-–—*#>|]\s*|\b(?:y|luego|siempre|simplemente)\s+)"

_SAY_EN = (
    r"(?:tell|say|state|answer|respond|reply|write|claim|assert|report|mention|explain|confirm|"
    r"insist|inform|assure|remind|let\s+\w+\s+know|declare|output|print|repeat|stress|emphasi[sz]e|"
    r"point out|note)"
)
_SAY_FR = (
    r"(?:dites|dis|répondez|réponds|affirmez|affirme|indiquez|indique|écrivez|écris|précisez|"
    r"précise|mentionnez|mentionne|signalez|signale|expliquez|explique|déclarez|déclare|informez|"
    r"informe|faites savoir|annoncez|annonce|confirmez|"
    r"soulignez|répétez)"
)
_SAY_DE = (
    r"(?:sag|sage|sagen Sie|antworte|antworten Sie|erkläre|erklären Sie|behaupte|behaupten Sie|"
    r"schreib|schreibe|schreiben Sie|teile|teilen Sie|erwähne|erwähnen Sie|gib|geben Sie|nenne|"
    r"nennen Sie|informiere|informieren Sie|bestätige|bestätigen Sie|betone|betonen Sie|"
    r"versichere|versichern Sie|richte|richten Sie)"
)
_SAY_ES = (
    r"(?:di|dile|diles|diga|dígale|dígales|díganle|responde|responda|contesta|conteste|afirma|"
    r"afirme|indica|indique|escribe|escriba|menciona|mencione|informa|informe|explica|explique|"
    r"asegura|asegure|declara|declare|confirma|confirme|señala|señale|repite|repita|subraya)"
)

_AI = (  # "AI" only in capitals ("ain't" is no addressee); "model" only as a language or AI model
    r"(?:\b(?-i:AI|A\.I\.|IA|I\.A\.|KI)\b|\b(?:llms?|chat ?bots?|chatgpt|gpt-?\d|"
    r"(?:ai|language|llm|ia|ki)[ -]models?|language models?|modèles? de langage|modelos? de lenguaje|sprachmodell\w*|"
    r"assistants?|assistente?s?|asistentes?|assistenten|summari[sz](?:er|ation tools?)s?|résumeurs?|"
    r"intelligence artificielle|künstliche intelligenz|inteligencia artificial)\b)"
)

FEATURE_PATTERNS: dict[str, dict[str, tuple[re.Pattern, ...]]] = {
    "imperative_say": {
        "en": _c(_START + r"(?:please\s+)?(?:always\s+|only\s+|now\s+)?" + _SAY_EN + r"\b"),
        "fr": _c(_START_FR + r"(?:veuillez\s+)?" + _SAY_FR + r"\b", r"\bveuillez\s+\w+"),
        "de": _c(
            _START_DE + _SAY_DE + r"\b",
            r"\bbitte\s+(?:\w+\s+){0,4}(?:sagen|antworten|erwähnen|schreiben|mitteilen|angeben|nennen)\b",
        ),
        "es": _c(_START_ES + r"(?:por favor,?\s+)?" + _SAY_ES + r"\b"),
    },
    "imperative_behave": {
        "en": _c(
            _START + r"(?:ignore|disregard|forget|pretend|act as|imagine|assume|treat|begin|start|"
            r"cite|do not|don't|never|avoid|refuse|remember|make sure|be sure|ensure|keep|use|translate|summari[sz]e)\b"
        ),
        "fr": _c(
            _START_FR + r"(?:ignorez|ignore|oubliez|oublie|faites comme si|fais comme si|imaginez|"
            r"commencez|commence|citez|cite|ne (?:mentionnez|dites|parlez|citez)|n'oubliez pas|"
            r"assurez-vous|veillez|évitez|incarnez|jouez|considérez|utilisez|traitez)\b"
        ),
        "de": _c(
            _START_DE + r"(?:ignoriere|ignorieren Sie|vergiss|vergessen Sie|tu so|tun Sie so|stell dir vor|"
            r"stellen Sie sich vor|beginne|beginnen Sie|zitiere|zitieren Sie|erwähne nie|achte|"
            r"achten Sie|verwende|verwenden Sie|spiele|spielen Sie|behandle|behandeln Sie|vermeide)\b"
        ),
        "es": _c(
            _START_ES + r"(?:ignora|ignore|olvida|olvide|finge|finja|imagina|imagine|empieza|empiece|"
            r"comienza|comience|cita|no (?:menciones|mencione|digas|diga|hables|hable)|asegúrate|"
            r"asegúrese|recuerda|recuerde|actúa|actúe|usa|use|trata|trate|evita|evite)\b"
        ),
    },
    "ai_addressee": {"any": _c(_AI)},
    "user_reader": {
        "en": _c(
            r"\b(?:the|any|every|all|our)\s+(?:users?|readers?|visitors?|askers?)\b",
            r"\b(?:anyone|whoever|someone|somebody|anybody|people) (?:who )?(?:is |are )?(?:asks?|asking|inquir\w+|"
            r"wants? to know)\b",
        ),
        "fr": _c(
            r"\b(?:l'|les |aux |à l')(?:utilisat\w+|lect\w+|internautes?|visiteurs?)\b",
            r"\b(?:quiconque|toute personne qui|celui qui|ceux qui) (?:vous )?(?:demande|interroge|pose)",
        ),
        "de": _c(
            r"\b(?:de[mnr]|die|alle[n]?|jede[mnr]?)\s+(?:Nutzer\w*|Benutzer\w*|Leser\w*|Anwender\w*|Fragesteller\w*)\b",
            r"\b(?:wer|jemand|jeder,? der)\b.{0,30}\bfragt\b",
        ),
        "es": _c(
            r"\b(?:el|los|al|a los|la|las|cualquier|todo)\s+(?:usuari[oa]s?|lector(?:es|a|as)?|visitantes?)\b",
            r"\b(?:quien|alguien|cualquiera que|todo el que)\b.{0,20}\bpregunte?\b",
        ),
    },
    "second_person": {
        "en": _c(r"\b(?:you|your|yours|yourself|u)\b"),
        "fr": _c(r"\b(?:vous|votre|vos|tu|toi|ton|ta|tes|te)\b"),
        "de": _c(
            r"(?<!^)\b(?:Sie|Ihnen|Ihr|Ihre[nmrs]?)\b", r"\b(?:du|dir|dich|dein\w*|euch|euer)\b", flags=0
        ),
        "es": _c(r"\b(?:usted(?:es)?|tú|tu|tus|te|ti|vosotros|contigo)\b"),
    },
    "modal_answer": {
        "en": _c(
            r"\b(?:must|should|shall|has to|have to|needs? to|is to|are to|ought to|will always|is required to|"
            r"are required to|may only)\s+(?:\w+\s+){0,2}?(?:say|state|answer|respond|reply|mention|tell|report|"
            r"cite|claim|confirm|write|include|begin|start|read|be told|be informed|contain)\b"
        ),
        "fr": _c(
            r"\b(?:doit|doivent|devez|dois|devra|devront|devriez|devrait|faut)\s+(?:\w+\s+){0,2}?(?:dire|répondre|"
            r"affirmer|indiquer|préciser|mentionner|écrire|déclarer|citer|contenir|commencer|être informés?)\b"
        ),
        "de": _c(
            r"\b(?:muss|müssen|musst|soll|sollen|sollst|sollte|sollten|solltest)\b.{0,40}\b(?:sagen|antworten|"
            r"erklären|angeben|behaupten|erwähnen|schreiben|lauten|enthalten|zitieren|beginnen|mitteilen|informiert|festhalten|"
            r"festzuhalten|festzustellen|zu sagen|zu erwähnen|zu lauten|zu antworten)\b"
        ),
        "es": _c(
            r"\b(?:debe|deben|debes|deberá|deberás|debería|deberían|tiene que|tienes que|tienen que|ha de|hay que)\s+"
            r"(?:\w+\s+){0,2}?(?:decir|responder|contestar|afirmar|indicar|mencionar|escribir|declarar|citar|"
            r"contener|incluir|empezar|comenzar|ser informad\w+)\b"
        ),
    },
    "dictated_answer": {
        "en": _c(
            r"\b(?:correct|right|true|proper|official|expected|only|accepted|acceptable|preferred|approved|"
            r"appropriate|valid)\s+(?:\w+\s+)?(?:answer|response|reply|wording)\b"
        ),
        "fr": _c(
            r"\b(?:bonne|seule|vraie|réponse)\s+(?:réponse|correcte|officielle|exacte|attendue|appropriée|valable|valide)\b"
        ),
        "de": _c(
            r"\b(?:richtige|korrekte|einzig richtige|wahre|offizielle|erwartete|angemessene|gültige|zulässige)\s+Antwort\b"
        ),
        "es": _c(
            r"\b(?:respuesta|contestación)\s+(?:correcta|verdadera|adecuada|oficial|única|esperada|apropiada|válida)\b",
            r"\b(?:única|verdadera)\s+respuesta\b",
        ),
    },
    "if_asked": {
        "en": _c(
            r"\b(?:if|when|whenever|once|should|in case)\b[^.]{0,30}\b(?:asked|asks?|questioned|queried|prompted|"
            r"requested)\b",
            r"\b(?:questions?|queries|prompts)\s+(?:about|on|regarding|concerning)\b",
        ),
        "fr": _c(
            r"\b(?:si|lorsqu|quand|dès qu)\b[^.]{0,30}\b(?:demande|interroge|pose|questionn)\w*",
            r"\bquestions?\s+(?:sur|concernant|au sujet)\b",
        ),
        "de": _c(
            r"\b(?:wenn|falls|sobald|sollte)\b[^.]{0,40}\b(?:gefragt|fragt|fragen|Frage)\b",
            r"\bFragen?\s+(?:zu|nach|über)\b",
        ),
        "es": _c(
            r"\b(?:si|cuando|siempre que)\b[^.]{0,30}\b(?:pregunt\w+|consult\w+)\b",
            r"\bpreguntas?\s+(?:sobre|acerca)\b",
        ),
    },
    "override": {
        "en": _c(
            r"\b(?:ignore|disregard|forget|override|bypass|overrides?|supersedes?)\b.{0,40}\b(?:instructions?|prompts?|"
            r"rules|guidelines|directions|directives|polic(?:y|ies)|restrictions|context|everything)\b",
            r"\b(?:previous|prior|above|earlier|original|system)\s+(?:instructions?|prompts?|rules|guidelines)\b",
        ),
        "fr": _c(
            r"\b(?:ignore\w*|oubli\w*|outrepass\w*|annul\w*|remplac\w*)\b.{0,40}\b(?:instructions?|consignes?|règles|"
            r"directives?|prompt|contexte)\b",
            r"\b(?:instructions?|consignes?)\s+(?:précédentes|antérieures|système)\b",
        ),
        "de": _c(
            r"\b(?:ignorier\w*|vergiss|vergessen|überschreib\w*|missacht\w*|setze\w*)\b.{0,40}\b(?:Anweisung\w*|"
            r"Regeln|Vorgaben|Richtlinien|Prompt|Kontext|Befehle)\b",
            r"\b(?:vorherigen|bisherigen|früheren|obigen)\s+(?:Anweisung\w*|Regeln|Vorgaben)\b",
        ),
        "es": _c(
            r"\b(?:ignor\w+|olvid\w+|anul\w+|omit\w+)\b.{0,40}\b(?:instrucciones|reglas|directrices|indicaciones|"
            r"prompt|contexto|órdenes)\b",
            r"\b(?:instrucciones|reglas)\s+(?:anteriores|previas|del sistema)\b",
        ),
    },
    "banner": {
        "any": _c(
            r"^\W{0,6}(?:system|sys|admin|administrator|developer|dev|assistant|user|root|operator|important|"
            r"attention|notice|override|update|instructions?|prompt|system override|new instructions?|"
            r"système|administrateur|développeur|wichtig|achtung|hinweis|anweisung|sistema|importante|"
            r"atención|aviso|instrucci[oó]n)\b\W{0,4}(?:message|note|notice|prompt|mode|override|update)?\s*[:\]#>|]",
            r"#{2,}|\[\s*(?:system|admin|inst|sys|assistant)\s*\]|<\s*/?\s*(?:system|admin|instructions?)\s*>|"
            r"\b(?:developer|debug|admin|god|jailbreak|dan) mode\b|={3,}|\*{3,}",
        )
    },
    "please": {
        "en": _c(
            r"\b(?:please|kindly|we (?:kindly )?ask|we request|we would like you|would you|could you|can you|"
            r"i (?:want|need|would like) you|thank you|thanks)\b"
        ),
        "fr": _c(
            r"\b(?:veuillez|merci de|s'il (?:vous|te) pla[iî]t|nous vous (?:demandons|prions)|pourriez-vous|"
            r"pouvez-vous|je vous (?:demande|prie)|je voudrais que)\b"
        ),
        "de": _c(
            r"\b(?:bitte|wir bitten|ich bitte|könntest du|könnten Sie|würden Sie|würdest du|danke|vielen dank)\b"
        ),
        "es": _c(
            r"\b(?:por favor|le rogamos|te rogamos|le pedimos|te pedimos|podrías|podría usted|gracias|"
            r"te agradecería|le agradecería|quisiera que)\b"
        ),
    },
    "roleplay": {
        "en": _c(
            r"\b(?:you are now|you're now|from now on|stay in character|your (?:new )?(?:persona|role) is)\b",
            _START
            + r"(?:act as|pretend|imagine you|play the role|role-?play|speak as|answer as|respond as)\b",
        ),
        "fr": _c(
            r"\b(?:vous êtes désormais|tu es désormais|vous êtes maintenant|tu es maintenant)\b",
            _START_FR + r"(?:faites comme si|fais comme si|jouez le rôle|joue le rôle|incarnez|incarne|"
            r"mettez-vous dans la peau|parlez comme|répondez comme|réponds comme)\b",
        ),
        "de": _c(
            r"\b(?:du bist jetzt|Sie sind jetzt|du bist nun|Sie sind nun|ab sofort bist du|von nun an bist du)\b",
            _START_DE + r"(?:tu so|tun Sie so|spiele die Rolle|spielen Sie die Rolle|schlüpfe in die Rolle|"
            r"antworte als|antworten Sie als|sprich als)\b",
        ),
        "es": _c(
            r"\b(?:ahora eres|ahora es usted|a partir de ahora eres|desde ahora eres)\b",
            _START_ES + r"(?:actúa como|actúe como|finge ser|finja ser|haz de|haga de|interpreta el papel|"
            r"interprete el papel|responde como|responda como|habla como)\b",
        ),
    },
    "dont_mention": {
        "en": _c(
            r"\b(?:do not|don't|never|avoid|refrain from)\s+(?:ever\s+)?(?:mention|mentioning|say|saying|reveal|"
            r"disclose|cite|citing|discuss|talk about|refer to|bring up|acknowledge)\b",
            r"\binstead,?\s+" + _SAY_EN,
        ),
        "fr": _c(
            r"\bne\s+(?:mentionnez|mentionne|dites|dis|parlez|parle|citez|cite|révélez|évoquez|évoque)\s+(?:jamais|pas)\b",
            r"\b(?:évitez|évite)\s+de\b",
            r"\b(?:à la place|plutôt|au lieu de cela)\b",
        ),
        "de": _c(
            r"\b(?:erwähne|erwähnen Sie|sag|sagen Sie|nenne|nennen Sie|zitiere)\b.{0,30}\b(?:nicht|nie|niemals|keinesfalls)\b",
            r"\bstattdessen\b",
        ),
        "es": _c(
            r"\bno\s+(?:menciones|mencione|digas|diga|hables|hable|cites|cite|reveles|revele)\b",
            r"\b(?:en su lugar|en cambio|en vez de eso)\b",
        ),
    },
    "cite_this": {
        "any": _c(
            r"\b(?:cite|citez|cita|zitiere|zitieren Sie)\s+(?:this|these|that|the|cette|ce|esta|este|diese\w*|la|el)?\s*"
            r"(?:note|sentence|source|text|page|document|footnote|paragraph|phrase|passage|fuente|nota|"
            r"Quelle|Notiz|Satz|texte)\b",
            r"\bcite\s+\[\d+\]|\bsource \[\d+\]",
        )
    },
    "summary_target": {
        "en": _c(
            r"\b(?:any|every|each|your|its|the|all|an?)\s+(?:summary|summaries|answer|answers|response|responses|reply|"
            r"replies|output|outputs|overview)\s+(?:\w+\s+){0,4}?(?:must|should|has to|have to|needs? to|shall|is to|"
            r"are to|will)\b"
        ),
        "fr": _c(
            r"\b(?:toute|chaque|votre|ta|sa|la|les|tout)\s+(?:réponses?|résumés?|synthèses?)\s+(?:\w+\s+){0,4}?"
            r"(?:doit|doivent|devra|devront|devrait)\b"
        ),
        "de": _c(
            r"\b(?:jede|deine|Ihre|die|eine|seine|ihre)\s+(?:Antwort|Zusammenfassung|Ausgabe)\w*\s+(?:\w+\s+){0,4}?"
            r"(?:muss|soll|sollte|hat|müssen)\b"
        ),
        "es": _c(
            r"\b(?:toda|cada|tu|su|la|cualquier|todo)\s+(?:respuestas?|resúmen\w*|resumen)\s+(?:\w+\s+){0,4}?"
            r"(?:debe|deberá|debería|tiene que|ha de)\b"
        ),
    },
    "addressed": {
        "any": _c(
            r"^\W{0,6}[^.:!?]{0,50}" + _AI + r"[^.:!?]{0,30}(?::|—|–| - )",
            r"^\W{0,6}(?:dear|hi|hello|hey|cher|chère|bonjour|salut|liebe[rs]?|hallo|querid[oa]s?|hola|estimad[oa]s?)\b",
            r"^\W{0,6}(?:assistant|model|ai|chatbot|ia|ki|asistente|modelo|assistent|modèle|modell)\s*,",
            r"\b(?:for|to|meant for|intended for|addressed to|destinée?s? (?:aux?|à)|à l'intention (?:de|des|du)|pour|para|"
            r"für|an|richtet sich an|va para|dirigid[oa] a)\s+(?:the\s+|any\s+|all\s+|les\s+|la\s+|le\s+|los\s+|las\s+|"
            r"die\s+|den\s+|l')?(?:\w+\s+)?" + _AI,
        )
    },
    "your_answer": {
        "any": _c(
            r"\b(?:your|ta|votre|deine[rnm]?|tu|tus)\s+(?:\w+\s+)?(?:answers?|repl(?:y|ies)|responses?|summary|output|"
            r"réponses?|résumés?|Antwort\w*|Zusammenfassung\w*|Ausgabe|respuestas?|resumen)\b",
            r"\bIhre\s+(?:Antwort|Zusammenfassung|Ausgabe)\b",
        )
    },
    "say_that": {
        "en": _c(
            r"\b(?:say|tell\s+(?:\w+\s+){1,3}|let\s+(?:\w+\s+){1,2}know|answer|respond|reply|state|claim|mention|"
            r"report|write|confirm|insist)"
            r"\s+(?:that\b|with\b|:)"
        ),
        "fr": _c(
            r"\b(?:dire|répondre|affirmer|indiquer|préciser|mentionner|écrire|déclarer|expliquer|signaler)\s+"
            r"(?:\w+\s+){0,3}?(?:que|qu'|:)"
        ),
        "de": _c(
            r"\b(?:sagen|antworten|erklären|angeben|behaupten|erwähnen|schreiben|mitteilen|betonen|lauten)\s*(?:,\s*dass|:)"
        ),
        "es": _c(
            r"\b(?:decir|diciendo|responder|contestar|afirmar|indicar|mencionar|escribir|declarar|explicar|señalar)\s+"
            r"(?:\w+\s+){0,3}?(?:que|:)"
        ),
    },
}
