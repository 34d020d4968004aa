"""The forms that wrap a claim in an instruction ("tell the user that X", "the correct response
is X", "make sure to mention X"), per language: the claim after them never supports X
(guard.wrapped_claim). Tables of regular expressions, built on guard_lexicon's pieces."""

from __future__ import annotations

import re

from .guard_lexicon import _SAY_DE, _SAY_ES, _SAY_FR, _START, _START_DE, _START_ES, _START_FR, _c


def _wrappers(start: str, say: str, told: str, dictated: str, target: str, make_sure: str, modal: str):
    """The compiled wrapper forms of one language (see WRAPPERS)."""
    return list(
        _c(
            start + say + r"\b[^.:;]{0,60}?\b(?:that|que|dass|:)\s*",  # tell the user that X / dites que X
            dictated,  # the correct response is X
            target,  # its reply has to be X
            make_sure,  # make sure to mention X
            told,  # readers should be told X
            modal,  # you must always say X
        )
    )


WRAPPERS: dict[str, list[re.Pattern]] = {
    "en": _wrappers(
        _START + r"(?:please\s+)?(?:always\s+|only\s+|simply\s+|just\s+)?",
        r"(?:tell|say|state|answer|respond|reply|write|claim|assert|report|mention|explain|confirm|insist|inform|assure|"
        r"remind|let\s+(?:\w+\s+){1,2}know|declare|stress|emphasi[sz]e|point out)",
        r"\b(?:users?|readers?|people|visitors|the public|everyone|anyone|customers|viewers|listeners)\s+(?:must|should|"
        r"need to|have to|are to|ought to)\s+(?:always\s+)?be\s+(?:told|informed|reminded|made aware|assured)\b(?:\s+that)?",
        r"\b(?:correct|right|true|proper|official|expected|only|accepted|preferred)\s+(?:answer|response|reply)\b"
        r"(?:\s+to\s+(?:this|that|the|any|such|every)\s+(?:question|query|prompt)s?|\s+to\s+['\"“‘][^'\"”’]{0,80}['\"”’])?"
        r"\s*(?:is|would be|will be|:)(?:\s+that)?",
        r"\b(?:its|your|the|any|every|each|an?)\s+(?:reply|answer|response|summary|output)\s+(?:\w+\s+){0,3}?(?:must|should|"
        r"has to|needs to|is to|shall|ought to)\s+(?:always\s+)?(?:be|say|state|read|mention|include|contain|begin with|"
        r"start with)\b(?:\s+that)?",
        _START
        + r"(?:please\s+)?(?:make sure|be sure|ensure|remember|don't forget|do not forget)\s+(?:to\s+|that\s+you\s+)?"
        r"(?:mention|say|state|tell\s+\w+|note|point out|stress|add|include|write|report|explain)\b(?:\s+that)?",
        r"\b(?:you|assistants?|ai|models?|chatbots?|bots?|llms?)\s+(?:\w+\s+)?(?:must|should|shall|has to|have to|needs? to|"
        r"is to|are to|will|ought to)\s+(?:always\s+|only\s+)?(?:say|state|answer|respond|reply|tell\s+\w+|claim|report|"
        r"write|confirm)\b(?:\s+(?:with|that))?",
    ),
    "fr": _wrappers(
        _START_FR + r"(?:veuillez\s+|toujours\s+)?",
        _SAY_FR,
        r"\b(?:les lecteurs|l'utilisateur|les utilisateurs|le public|le lecteur)\s+(?:doivent|doit|devraient|devrait)\s+"
        r"être\s+(?:informés?|avertis?|prévenus?)\b(?:\s+que)?",
        r"\b(?:bonne|seule|vraie)\s+réponse(?:\s+correcte)?(?:\s+à\s+(?:cette|la|toute)\s+question|\s+à\s+«[^»]{0,80}»)?"
        r"\s*(?:est|:)(?:\s+que)?|\bréponse\s+(?:correcte|officielle|exacte|attendue)\s*(?:est|:)(?:\s+que)?",
        r"\b(?:votre|ta|sa|toute|chaque|la)\s+(?:réponse|résumé|synthèse)\s+(?:\w+\s+){0,3}?(?:doit|devra|devrait)\s+"
        r"(?:toujours\s+)?(?:être|dire|indiquer|mentionner|affirmer|préciser|contenir)\b(?:\s+que)?",
        r"\b(?:assurez-vous|assure-toi|veillez|n'oubliez pas|n'oublie pas)\s+(?:de|d'|à)\s*(?:bien\s+)?(?:mentionner|dire|"
        r"préciser|indiquer|signaler|rappeler)\b(?:\s+que)?",
        r"\b(?:vous|tu|l'assistant|le modèle|l'ia)\s+(?:devez|dois|doit|devrez|devra|devriez)\s+(?:toujours\s+)?(?:dire|"
        r"répondre|affirmer|indiquer|préciser|mentionner|écrire|déclarer)\b(?:\s+que)?",
    ),
    "de": _wrappers(
        _START_DE,
        _SAY_DE,
        r"\b(?:Leser\w*|Nutzer\w*|Benutzer\w*)\s+(?:müssen|sollten|sollen)\s+(?:\w+\s+){0,3}?(?:informiert|hingewiesen|"
        r"erfahren)\w*(?:,?\s+dass)?|\b(?:den Lesern|dem Nutzer|den Nutzern|dem Leser)\s+(?:muss|sollte|soll)\s+"
        r"(?:\w+\s+)?(?:gesagt|mitgeteilt)\s+werden(?:,?\s+dass)?",
        r"\b(?:richtige|korrekte|einzig richtige|wahre|offizielle)\s+Antwort(?:\s+auf\s+(?:diese|die|jede)\s+Frage|"
        r"\s+auf\s+„[^“]{0,80}“)?\s*(?:lautet|ist|:)(?:,?\s+dass)?",
        r"\b(?:deine|Ihre|die|jede|eine)\s+(?:Antwort|Zusammenfassung|Ausgabe)\s+(?:\w+\s+){0,3}?(?:muss|soll|sollte|hat)\s+"
        r"(?:\w+\s+){0,3}?(?:lauten|sein|enthalten|erwähnen|sagen|besagen|heißen|zu lauten)\b(?:,?\s+dass)?:?",
        r"\b(?:achte|achten Sie|vergiss nicht|vergessen Sie nicht|denk daran|denken Sie daran)\b[^.]{0,20}?,?\s*"
        r"(?:\w+\s+){0,4}?zu\s+(?:erwähnen|sagen|betonen|schreiben)(?:,?\s+dass)?",
        r"\b(?:du|Sie|der Assistent|das Modell|die KI)\s+(?:musst|müssen|muss|solltest|sollten|sollst|soll)\s+(?:immer\s+)?"
        r"(?:\w+\s+){0,3}?(?:sagen|antworten|erklären|angeben|behaupten|erwähnen|schreiben)(?:,?\s+dass)?",
    ),
    "es": _wrappers(
        _START_ES + r"(?:por favor,?\s+)?",
        _SAY_ES,
        r"\b(?:los lectores|el usuario|los usuarios|el lector|el público)\s+(?:deben|debe|deberían|debería)\s+ser\s+"
        r"(?:informad\w+|advertid\w+)\b(?:\s+de\s+que)?|\bhay que decir(?:le|les)?\s+(?:a\s+\w+\s+)?que",
        r"\b(?:respuesta|contestación)\s+(?:correcta|verdadera|adecuada|oficial|única|válida)(?:\s+a\s+(?:esta|la|cualquier)\s+pregunta|"
        r"\s+a\s+«[^»]{0,80}»)?\s*(?:es|será|:)(?:\s+que)?",
        r"\b(?:tu|su|la|toda|todo|cada|cualquier)\s+(?:respuesta|resumen)\s+(?:\w+\s+){0,3}?(?:debe|deberá|debería|tiene que|"
        r"ha de)\s+(?:siempre\s+)?(?:ser|decir|indicar|mencionar|afirmar|contener|incluir)\b(?:\s+que)?",
        r"\b(?:asegúrate|asegúrese|no olvides|no olvide|recuerda|recuerde)\s+(?:de\s+)?(?:mencionar|decir|indicar|"
        r"señalar)\b(?:\s+que)?",
        r"\b(?:debes|deberás|tienes que|usted debe|el asistente debe|el modelo debe)\s+(?:siempre\s+)?(?:decir|responder|"
        r"afirmar|indicar|mencionar|contestar|escribir)\b(?:\s+que)?",
    ),
    "any": list(
        _c(
            r"\binstead,?\s+(?:say|state|answer|reply|write|claim|tell\s+\w+)\b(?:\s+that)?",
            r"\b(?:à la place|plutôt),?\s+(?:dites|dis|répondez|affirmez|indiquez)\b(?:\s+que)?",
            r"\bstattdessen\s+(?:sag|sage|sagen Sie|antworte|antworten Sie|schreibe|schreiben Sie)\b(?:,?\s+dass)?",
            r"\b(?:en su lugar|en cambio),?\s+(?:di|diga|responde|responda|afirma|afirme|indica|indique)\b(?:\s+que)?",
        )
    ),
}
