"""Relation rules (ontology/rules/*.yml) on sentences of our own.

Most cases write the mentions inline, ``[义乌|City]``, so that a case tests the rule and not the entity finder; a few
run the real pipeline end to end.
"""
from __future__ import annotations

import marking
import pytest

from kg.errors import DataError
from kg.extract.coref import Anaphora, resolve_anaphors
from kg.extract.relations import extract_relations, load_rules, parse_rule
from kg.ingest.sentences import split_sentences
from kg.records import Article, Entity, Mention
from kg.paths import ontology_dir

RULES = load_rules(ontology_dir() / "rules", every=True)    # rules switched off by default are tested too
ANAPHORA = Anaphora.load(ontology_dir() / "rules" / "anaphora.yml")
PARENTS = {"义乌": "金华", "金华": "浙江", "宁波": "浙江", "柯桥区": "绍兴", "绍兴": "浙江", "浙南": "浙江", "兰溪": "金华"}


def marked(text: str, **kw) -> tuple[Article, list[Mention]]:
    return marking.marked(text, date="2025-03-01", parents=PARENTS, **kw)


def lookup(name: str) -> Entity | None:
    known = {"义乌": "City", "宁波": "City", "纽约": "City", "金华": "City", "兰溪": "County", "乍浦": "Town",
             "舟山": "City"}
    return Entity(name, name, known[name], parent=PARENTS.get(name)) if name in known else None


def with_anaphors(article: Article, mentions: list[Mention]) -> list[Mention]:
    at = lambda i: next(s for s in article.sentences if s.start <= i < s.end)   # noqa: E731
    return sorted(mentions + list(resolve_anaphors(article, mentions, at, anaphora=ANAPHORA)), key=lambda m: m.start)


def triples(text: str, **kw) -> set[tuple[str, str, str]]:
    article, mentions = marked(text, **kw)
    mentions = with_anaphors(article, mentions)        # as the Extractor does
    return {(r.subject, r.prop, r.object) for r in extract_relations(mentions, article=article, rules=RULES,
                                                                     lookup=lookup)}


MUST = [
    # routes
    ("[中欧班列|Route]从[金华南站|Facility]缓缓驶出。", ("中欧班列", "departsFrom", "金华南站")),
    ("[中欧班列|Route]从[义乌|City]附近的[金华南站|Facility]出发。", ("中欧班列", "departsFrom", "金华南站")),
    ("这趟[中欧班列|Route]将经[霍尔果斯口岸|Facility]开往[阿拉木图|City]。", ("中欧班列", "via", "霍尔果斯口岸")),
    ("这趟[中欧班列|Route]将经[霍尔果斯口岸|Facility]开往[阿拉木图|City]。", ("中欧班列", "destination", "阿拉木图")),
    ("[X9001次|Route]开往[波兰|Country][华沙|City]的班列已经启程。", ("X9001次", "destination", "华沙")),
    ("[义乌—宁波海铁联运|Route]今年运量大增。", ("义乌—宁波海铁联运", "departsFrom", "义乌")),
    ("[义乌—宁波海铁联运|Route]今年运量大增。", ("义乌—宁波海铁联运", "destination", "宁波")),
    ("[新开的航线|Route]连通[东南亚|Region]多个港口。", ("新开的航线", "connects", "东南亚")),
    # a sentence that names no service: the one the article is about (named most)
    ("“[金甬欧|Route]”班列今天开行。[金甬欧|Route]运量大增。目前已开通6条线路，目的地包括[波兰|Country]和[德国|Country]。",
     ("金甬欧", "destination", "德国")),
    # a hub opening routes to a list of places connects to each of them
    ("[郑州机场|Facility]开通至[芝加哥|City]、[卢森堡|City]、[安克雷奇|City]的全货机航线。", ("郑州机场", "connects", "卢森堡")),
    ("[郑州机场|Facility]开通至[芝加哥|City]、[卢森堡|City]、[安克雷奇|City]的全货机航线。", ("郑州机场", "connects", "安克雷奇")),
    ("[舟山港|Facility]今年新开到[釜山|City]和[大阪|City]的集装箱航线。", ("舟山港", "connects", "大阪")),
    ("[温州港|Facility]至[上饶|City]、[鹰潭|City]、[南昌|City]三条海铁联运线路开通。", ("温州港", "connects", "鹰潭")),
    # a route named with a place in brackets after it leaves from that place
    ("[中欧班列（金华）|Route]今年开行300列。", ("中欧班列（金华）", "departsFrom", "金华")),
    ("[中欧班列(宁波)|Route]首次开行冷链专列。", ("中欧班列(宁波)", "departsFrom", "宁波")),
    # places
    ("记者来到[浙江|Province][义乌|City]采访。", ("义乌", "locatedIn", "浙江")),
    ("客商在[浙江|Province][义乌国际商贸城|Facility]挑选饰品，[义乌|City]很热闹。", ("义乌", "locatedIn", "浙江")),
    ("[义乌国际商贸城|Facility]人头攒动，[义乌|City]的客商多了。", ("义乌国际商贸城", "locatedIn", "义乌")),
    # a name that opens with a place and a place inside it lies in the inner one
    ("[金华兰溪新港码头|Facility]今天开港，[兰溪|County]企业受益。", ("金华兰溪新港码头", "locatedIn", "兰溪")),
    ("位于[绍兴|City][柯桥区|County]的[兴发化纤公司|Company]订单饱满。", ("兴发化纤公司", "locatedIn", "柯桥区")),
    ("位于[绍兴|City][柯桥区|County]的[兴发化纤公司|Company]订单饱满。", ("柯桥区", "locatedIn", "绍兴")),
    ("同在[永康|City]做[五金|Industry]生意的[恒达工贸有限公司|Company]也接到了订单。", ("恒达工贸有限公司", "locatedIn", "永康")),
    ("[速卖通|Platform]、[亚马逊|Platform]等平台纷纷落户[义乌|City]。", ("亚马逊", "locatedIn", "义乌")),
    ("上周在[曼谷|City]举办了[义乌五金展|Event]。", ("义乌五金展", "locatedIn", "曼谷")),
    ("[浙江|Province]和[宁波|City]的企业都来了。", ("宁波", "locatedIn", "浙江")),
    ("[浙江自贸区|Zone]的[浙江自贸区金义片区|Zone]成立五年。", ("浙江自贸区金义片区", "partOf", "浙江自贸区")),
    # organisations and people
    ("由[小商品城集团|Company]打造的[Chinagoods|Platform]上线三年。", ("Chinagoods", "operatedBy", "小商品城集团")),
    ("由[宁波港集团|Company]打造的[数字|Industry]物流服务平台——“[港好运|Platform]”上线。", ("港好运", "operatedBy", "宁波港集团")),
    ("[拼多多|Company]旗下跨境平台[Temu|Platform]增长很快。", ("Temu", "operatedBy", "拼多多")),
    ("[京东|Company]旗下[跨境电商|Industry]平台[京喜|Platform]上线。", ("京喜", "operatedBy", "京东")),
    ("货物将通过[顺丰航空|Company]的[深圳—布达佩斯专线|Route]运抵欧洲。", ("深圳—布达佩斯专线", "operatedBy", "顺丰航空")),
    ("[宁波海关|GovernmentBody]所属[北仑海关|GovernmentBody]加班验放。", ("北仑海关", "partOf", "宁波海关")),
    ("[宏达物流有限公司|Company]总经理[陈立|Person]说，运价下降了。", ("陈立", "affiliatedWith", "宏达物流有限公司")),
    ("[杭州海关|GovernmentBody]统计处副处长[林芳|Person]介绍。", ("林芳", "affiliatedWith", "杭州海关")),
    ("[王五|Person]摄（[视觉中国|Organization]）", ("王五", "affiliatedWith", "视觉中国")),
    # a title written after the name: in brackets, or as a clause of its own
    ("[周明|Person]（[义乌海关|GovernmentBody]副关长）介绍了情况。", ("周明", "affiliatedWith", "义乌海关")),
    ("[李华|Person]，[永康五金协会|Organization]秘书长，常年奔走海外。", ("李华", "affiliatedWith", "永康五金协会")),
    # policies and trade
    ("[国务院|GovernmentBody]近日批复了《[金华市开放方案|Policy]》。", ("金华市开放方案", "issuedBy", "国务院")),
    # issuedBy: bodies listed before the verb, 由 X、Y 制定, approval through 经 X 批准, the issuer before a quoted name
    ("[商务部|GovernmentBody]和[海关总署|GovernmentBody]联合印发了《[稳外贸十条|Policy]》。", ("稳外贸十条", "issuedBy", "海关总署")),
    ("《[跨境电商扶持办法|Policy]》由[浙江省商务厅|GovernmentBody]、[浙江省财政厅|GovernmentBody]制定。",
     ("跨境电商扶持办法", "issuedBy", "浙江省财政厅")),
    ("经[国务院|GovernmentBody]批准，《[浙江自贸区扩展方案|Policy]》正式实施。", ("浙江自贸区扩展方案", "issuedBy", "国务院")),
    ("《[浙江自贸区扩展方案|Policy]》经[国务院|GovernmentBody]批准后实施。", ("浙江自贸区扩展方案", "issuedBy", "国务院")),
    ("[商务部|GovernmentBody]“[外贸新业态优秀实践案例|Policy]”名单公布。", ("外贸新业态优秀实践案例", "issuedBy", "商务部")),
    # appliesTo: a policy that covers, reaches or is extended to places (each of a list); a place that enjoys it
    ("[跨境电商零售进口政策|Policy]覆盖[义乌|City]、[宁波|City]两地。", ("跨境电商零售进口政策", "appliesTo", "宁波")),
    ("[市场采购贸易方式|Policy]已推广至[临沂|City]。", ("市场采购贸易方式", "appliesTo", "临沂")),
    ("[金义综保区|Zone]内企业享受[保税政策|Policy]。", ("保税政策", "appliesTo", "金义综保区")),
    # officials listed after one title, or each with a title of their own
    ("[义乌市委|GovernmentBody]常委、副市长[张三|Person]、[李四|Person]出席活动。", ("李四", "affiliatedWith", "义乌市委")),
    ("[义乌海关|GovernmentBody]关长[王五|Person]、副关长[赵六|Person]、处长[钱七|Person]介绍情况。",
     ("钱七", "affiliatedWith", "义乌海关")),
    ("[义乌海关|GovernmentBody]关长[王五|Person]、副关长[赵六|Person]介绍情况。", ("赵六", "affiliatedWith", "义乌海关")),
    ("[金华市开放方案|Policy]将分步推进。", ("金华市开放方案", "appliesTo", "金华")),
    ("[柯桥区|County]今年出台了[人才新政|Policy]。", ("人才新政", "appliesTo", "柯桥区")),
    ("[义乌|City]的小家电远销[中东|Region]和[非洲|Region]。", ("义乌", "exportsTo", "非洲")),
    # the place a clause opens with adopts each policy its clauses launch; an anaphor may stand for it
    ("今年，[兰溪|County]升级了[港口通关新政|Policy]，以[单一窗口|Policy]为抓手，建立[信用监管机制|Policy]。",
     ("信用监管机制", "appliesTo", "兰溪")),
    ("[兰溪|County]发展很快。去年，全县推行[容缺受理|Policy]，企业跑一次就能办成。", ("容缺受理", "appliesTo", "兰溪")),
    ("在[跨境电商|Policy]方面，[宁波|City]推出了一系列便利举措。", ("跨境电商", "appliesTo", "宁波")),
    # a port's reach where the sentence names no port: the one the article is about
    ("[舟山港|Facility]吞吐量增长，[舟山港|Facility]很忙。江海联运业务已辐射至[安庆|City]和[九江|City]。",
     ("舟山港", "connects", "九江")),
    # zones that settled where the sentence names no place: in the place the article is about
    ("[衢州|City]开放步伐加快，[衢州|City]外贸增长。[衢州综合保税区|Zone]、[浙西保税物流中心|Zone]等平台相继落地。",
     ("浙西保税物流中心", "locatedIn", "衢州")),
    # a policy launched in a sentence that names no place: the place the article is about
    ("[柯桥区|County]青年创业热情高，[柯桥区|County]人才多。今年还推出了[创业担保贷款|Policy]。",
     ("创业担保贷款", "appliesTo", "柯桥区")),
    # each item of a list keeps its own apposition
    ("航线覆盖[日本|Country][东京|City]、[韩国|Country][首尔|City]和[新加坡|Country]。", ("首尔", "locatedIn", "韩国")),
    ("货物运往[中国|Country][青岛|City]和[德国|Country][汉堡|City]。", ("汉堡", "locatedIn", "德国")),
    # a modifier before a list of names of one kind holds for each of them
    ("[浙南|Region][温州港|Facility]和[台州港|Facility]齐头并进。", ("台州港", "locatedIn", "浙南")),
    # a list whose items are runs of names: the item is its last name (德国汉堡 -> 汉堡)
    ("[中欧班列|Route]开往[杭州|City]和[德国|Country][汉堡|City]。", ("中欧班列", "destination", "汉堡")),
    ("[中欧班列|Route]开往[杭州|City]和[德国|Country][汉堡|City]。", ("中欧班列", "destination", "杭州")),
    # names listed in quotes without a conjunction: “A”“B”和C
    ("全年，[浙江|Province]落实“[以旧换新|Policy]”“[设备更新|Policy]”和[稳外贸政策|Policy]。", ("设备更新", "appliesTo", "浙江")),
    ("全年，[浙江|Province]落实“[以旧换新|Policy]”“[设备更新|Policy]”和[稳外贸政策|Policy]。", ("稳外贸政策", "appliesTo", "浙江")),
    # the places listed before 等 lie in the region the kind word is said of
    ("[法国|Country]、[意大利|Country]等[欧洲|Region]国家的客商纷纷下单。", ("意大利", "locatedIn", "欧洲")),
    ("[法国|Country]、[意大利|Country]等[欧洲|Region]国家的客商纷纷下单。", ("法国", "locatedIn", "欧洲")),
    ("[宁波|City]、[厦门|City]等[东南|Region]沿海港口城市吞吐量上升。", ("厦门", "locatedIn", "东南")),
    # the reporters in brackets after a dateline, each of them, work for the outlet that opens it
    ("[新华社|Organization][宁波|City]5月8日电（记者[王明|Person] [陈红|Person]）港口吞吐量创新高。",
     ("王明", "affiliatedWith", "新华社")),
    ("[新华社|Organization][宁波|City]5月8日电（记者[王明|Person] [陈红|Person]）港口吞吐量创新高。",
     ("陈红", "affiliatedWith", "新华社")),
    ("[中新网|Organization][温州|City]6月2日电 ([李强|Person])温州港开通新航线。", ("李强", "affiliatedWith", "中新网")),
    # a hub sending services to a list of places connects to each of them
    ("由[金华南站|Facility]分别发往[明斯克|City]和[杜伊斯堡|City]的集装箱班列今天开出。", ("金华南站", "connects", "明斯克")),
    ("由[金华南站|Facility]分别发往[明斯克|City]和[杜伊斯堡|City]的集装箱班列今天开出。",
     ("金华南站", "connects", "杜伊斯堡")),
    # the exporter is the place whose goods the clause names, even with a service named on the way
    ("[永康|City]生产的五金产品远销[东南亚|Region]。", ("永康", "exportsTo", "东南亚")),
    ("[温州|City]的鞋类商品通过[海铁联运|Route]运往[中东|Region]和[非洲|Region]。", ("温州", "exportsTo", "非洲")),
    ("[义乌|City]的[小商品|Industry]远销[拉美|Region]。", ("义乌", "exportsTo", "拉美")),
    # a service written after A至B leaves from A and goes to B (B may carry its province)
    ("[义乌|City]至[马德里|City]的[X8020次|Route]今天发车。", ("X8020次", "departsFrom", "义乌")),
    ("[义乌|City]至[马德里|City]的[X8020次|Route]今天发车。", ("X8020次", "destination", "马德里")),
    ("从[金华|City]至[浙江|Province][宁波|City][海铁联运班列|Route]开行。", ("海铁联运班列", "departsFrom", "金华")),
    ("从[金华|City]至[浙江|Province][宁波|City][海铁联运班列|Route]开行。", ("海铁联运班列", "destination", "宁波")),
    # a clause that only says where, then the site that opens the next clause
    ("在[兰溪|County]，[方下店作业区|Facility]正在扩建。", ("方下店作业区", "locatedIn", "兰溪")),
    # the organisation written before 运营/管理 runs what follows
    ("[宁波港集团|Company]负责运营[梅山码头|Facility]和[穿山码头|Facility]。", ("穿山码头", "operatedBy", "宁波港集团")),
    # cities written as the province's own, each one of the list
    ("[浙江|Province]的[杭州|City]、[湖州|City]和[温州|City]都在扩大开放。", ("温州", "locatedIn", "浙江")),
    ("[浙江|Province]的[杭州|City]、[湖州|City]和[温州|City]都在扩大开放。", ("湖州", "locatedIn", "浙江")),
    # the exporter written right before the verb, a goods word at most between
    ("[永康|City]五金远销[中东|Region]。", ("永康", "exportsTo", "中东")),
    ("[恒达公司|Company]的水杯今年销往[印尼|Country]和[迪拜|City]。", ("恒达公司", "exportsTo", "迪拜")),
]

MUST_NOT = [
    # a place in brackets that do not close the route's name, or a place before the route, is no qualifier
    ("[中欧班列|Route]（[金华|City]段）今年开行300列。", ("中欧班列", "departsFrom", "金华")),
    ("[宁波|City][海铁联运（义乌）班列|Route]今年开行。", ("海铁联运（义乌）班列", "departsFrom", "义乌")),
    # the object of 开往 is the head of 波兰华沙, not the country written before it
    ("[X9001次|Route]开往[波兰|Country][华沙|City]的班列已经启程。", ("X9001次", "destination", "波兰")),
    # a place in a relative clause is not where the train leaves from
    ("[中欧班列|Route]从[义乌|City]附近的[金华南站|Facility]出发。", ("中欧班列", "departsFrom", "义乌")),
    # a place named before what settled: the topic rule stays out (the place-located-at rules decide)
    ("[衢州|City]外贸增长，[衢州|City]很忙。[丽水|City]经济开发区的[绿谷物流园|Facility]今年落地。",
     ("绿谷物流园", "locatedIn", "衢州")),
    # a flight is no freight train: 前往 alone does not give the article's service a destination
    ("[金甬欧|Route]运量大增。一架货机即将从[义乌机场|Facility]起飞，前往[大阪|City]。", ("金甬欧", "destination", "大阪")),
    # a comma ends the clause a cue may reach over
    ("[中欧班列|Route]开行顺利，[义乌|City]经济向好。", ("中欧班列", "via", "义乌")),
    # a country never goes under its province by the gazetteer, nor anything into the country implicitly
    ("[中国|Country]的[浙江|Province]外贸领先。", ("浙江", "locatedIn", "中国")),
    # listed with a place of another kind: the list does not carry the apposition over
    ("[浙北|Region][嘉兴港|Facility]、[浙南|Region][温州港|Facility]同步增长。", ("浙南", "locatedIn", "浙北")),
    # a hub's route to a list is not a route to the place that modifies the hub
    ("[宁波|City][栎社机场|Facility]开通至[洛杉矶|City]的航线。", ("栎社机场", "connects", "宁波")),
    # apposition holds inside one item of a list, never across it
    ("航线覆盖[日本|Country][东京|City]、[韩国|Country][首尔|City]和[新加坡|Country]。", ("首尔", "locatedIn", "东京")),
    ("航线覆盖[日本|Country][东京|City]、[韩国|Country][首尔|City]和[新加坡|Country]。", ("韩国", "locatedIn", "日本")),
    ("航线覆盖[日本|Country][东京|City]、[韩国|Country][首尔|City]和[新加坡|Country]。", ("首尔", "locatedIn", "日本")),
    ("货物运往[中国|Country][青岛|City]和[德国|Country][汉堡|City]。", ("汉堡", "locatedIn", "青岛")),
    ("货物运往[中国|Country][青岛|City]和[德国|Country][汉堡|City]。", ("汉堡", "locatedIn", "中国")),
    ("[杭州|City]、[湖州|City]和[嘉兴|City]三地联动。", ("嘉兴", "locatedIn", "湖州")),
    ("航线覆盖[日本|Country][东京|City]、[韩国|Country][首尔|City]、[新加坡|Country]。", ("新加坡", "locatedIn", "韩国")),
    # no subject before the cue: the thing after it is not what is exported
    ("销往[金华|City]周边的[诸暨|County]。", ("诸暨", "exportsTo", "金华")),
    # an apposition whose second name starts with a place: that place is what lies in the first
    ("客商在[浙江|Province][义乌国际商贸城|Facility]挑选饰品，[义乌|City]很热闹。", ("义乌国际商贸城", "locatedIn", "浙江")),
    # a title after another clause belongs to the person named after it, not to the speaker
    ("[张强|Person]说，[宏达物流有限公司|Company]总经理[陈立|Person]也来了。", ("张强", "affiliatedWith", "宏达物流有限公司")),
    # a role word with no person right after it
    ("[宏达物流有限公司|Company]总经理表示，[陈立|Person]不在。", ("陈立", "affiliatedWith", "宏达物流有限公司")),
    ("[市场采购贸易方式|Policy]出口额覆盖全年，[义乌|City]增长最快。", ("市场采购贸易方式", "appliesTo", "义乌")),
    ("[义乌海关|GovernmentBody]关长[王五|Person]、[宁波海关|GovernmentBody]副关长[赵六|Person]介绍情况。",
     ("赵六", "affiliatedWith", "义乌海关")),
    ("经[国务院|GovernmentBody]同意的试点，[浙江|Province]出台《[稳外贸十条|Policy]》。", ("稳外贸十条", "issuedBy", "国务院")),
    # the topic rule stops at the next place of its kind: the later policy is the later place's
    ("[金华|City]出台了[物流补贴|Policy]，[兰溪|County]则推出[港航新政|Policy]。", ("港航新政", "appliesTo", "金华")),
    # a place in the middle of a clause is not the clause's topic
    ("企业纷纷赴[金华|City]等地的多个工业园区考察交流，推进[海外仓建设|Policy]。", ("海外仓建设", "appliesTo", "金华")),
    # a name in quotes followed by more of the name is not a list
    ("“[义新欧|Route]”[中欧班列|Route]从[义乌|City]出发。", ("义新欧", "departsFrom", "义乌")),
    # a name that joins two places (宁波 and 舟山, neither inside the other) lies in neither; nor does one with an
    # inner place lie in the outer one by its name
    ("[宁波舟山港|Facility]吞吐量居全球首位。", ("宁波舟山港", "locatedIn", "宁波")),
    ("[金华兰溪新港码头|Facility]今天开港。", ("金华兰溪新港码头", "locatedIn", "金华")),
    # the gazetteer states only the province: a county-level city is not put under its prefecture
    ("[金华|City]和[义乌|City]的企业都来了。", ("义乌", "locatedIn", "金华")),
    # a site named after a place the article never names on its own: the name alone does not state where it is
    ("[义乌国际商贸城|Facility]人头攒动。", ("义乌国际商贸城", "locatedIn", "义乌")),
    # an informal region is not stated as part of its province
    ("[浙南|Region]和[浙江|Province]各地都在忙。", ("浙南", "locatedIn", "浙江")),
    # 等 without a kind word after the region: a list of places that act there, not places inside it
    ("[金华|City]等地的企业赴[欧洲|Region]参展。", ("金华", "locatedIn", "欧洲")),
    # a name in brackets with no dateline before it
    ("[新华社|Organization]报道，[王明|Person]（左）在港口调研。", ("王明", "affiliatedWith", "新华社")),
    # a hub named in another clause is not where the service is sent from
    ("[义乌西站|Facility]的工人说，发往[马德里|City]的班列满载。", ("义乌西站", "connects", "马德里")),
    # people, not goods, come from the place: no export
    ("[浙江|Province]的客商来到[义乌|City]采购。", ("浙江", "exportsTo", "义乌")),
    # a stretch of line, not a service, is written after A至B; the service in the next clause is not said to leave A
    ("[义乌|City]至[喀什|City]段运费下降，[中欧班列|Route]更快了。", ("中欧班列", "departsFrom", "义乌")),
    # 在X的码头上: the clause says more than where
    ("在[兰溪|County]的码头上，[宁波港集团|Company]的员工忙着装船。", ("宁波港集团", "locatedIn", "兰溪")),
    # a country is not written as a province's own
    ("[浙江|Province]的[美国|Country]客商多了。", ("美国", "locatedIn", "浙江")),
]


@pytest.mark.parametrize("text,word,refers_to", [
    ("[恒达公司|Company]去年在越南建厂，该公司订单饱满。", "该公司", "恒达公司"),
    ("[浙江|Province]外贸回暖，全省出口增长。", "全省", "浙江"),
    ("[金华|City]全市进出口增长。", "全市", "金华"),
    # 我市 is the writer's own city, the one the article names most, not the one named last
    ("[义乌|City]商户多，[义乌|City]订单也多，[丽水|City]同样不少。我市出口增长。", "我市", "义乌"),
    # a clause-initial head alone refers back too; the nearest of its kind whose name ends with the head comes first
    ("[金义片区|Zone]与[义乌综保区|Zone]协同发展。2025年，片区推出新政。", "片区", "金义片区"),
    ("[好运达|Platform]上线一年。截至6月，平台注册商户超2万家。", "平台", "好运达"),
    ("[恒达纺织有限公司|Company]总经理说，企业已连续10年增长。", "企业", "恒达纺织有限公司"),
])
def test_anaphor_refers_back(text, word, refers_to):
    article, mentions = marked(text)
    found = {m.text: m.entity.key for m in resolve_anaphors(article, mentions, lambda i: article.sentences[0],
                                                            anaphora=ANAPHORA)}
    assert found.get(word) == refers_to


@pytest.mark.parametrize("text,word", [
    ("全省出口增长，[浙江|Province]外贸回暖。", "全省"),                         # nothing of its kind before it
    ("[义乌|City]新闻。全市场主体达到百万。", "全市"),                           # 全市场 is a word of its own
    ("[恒达公司|Company]很忙。一家物流公司也来了。", "公司"),                      # a bare head inside a phrase
    ("[宁波|City]建成安全区多个。", "全区"),                                    # 安全区 is a word of its own
    ("[恒达公司|Company]很忙。外贸企业订单多。", "企业"),                          # 外贸企业: a bare head in a phrase
])
def test_anaphor_left_alone(text, word):
    article, mentions = marked(text)
    found = {m.text for m in resolve_anaphors(article, mentions, lambda i: article.sentences[0], anaphora=ANAPHORA)}
    assert word not in found


@pytest.mark.parametrize("text,triple", MUST)
def test_rule_finds(text, triple):
    assert triple in triples(text)


@pytest.mark.parametrize("text,triple", MUST_NOT)
def test_rule_leaves_out(text, triple):
    assert triple not in triples(text)


DEFAULT_RULES = load_rules(ontology_dir() / "rules")      # as kg runs them: the rules switched off stay off


@pytest.mark.parametrize("text,triple", [
    # a place further back than the goods word is not the exporter (the exports-to rule, off, takes it)
    ("企业的产品占领了[浙江|Province]、[广东|Province]等市场，并远销[日本|Country]。", ("广东", "exportsTo", "日本")),
    ("[宁波|City]的客商说，这批货销往[美国|Country]。", ("宁波", "exportsTo", "美国")),
])
def test_default_rules_leave_out(text, triple):
    article, mentions = marked(text)
    found = {(r.subject, r.prop, r.object)
             for r in extract_relations(with_anaphors(article, mentions), article=article, rules=DEFAULT_RULES,
                                        lookup=lookup)}
    assert triple not in found


def test_role_without_organisation_takes_the_articles_company():
    assert ("桂芳", "affiliatedWith", "美好杯业") in triples("[美好杯业|Company]生意红火。老板娘[桂芳|Person]很忙。")
    # an organisation named in the sentence keeps it (person-role decides), the topic stays out
    assert ("林立", "affiliatedWith", "美好杯业") not in triples(
        "[美好杯业|Company]生意红火，[美好杯业|Company]订单多。[顺达物流|Company]总经理[林立|Person]说。")


@pytest.mark.xfail(strict=True, reason="a subject named only in an earlier sentence is not carried over")
def test_subject_from_earlier_sentence():
    # the company is named two sentences before the person, with no role word next to the name
    assert ("王明", "affiliatedWith", "美好杯业") in triples("[美好杯业|Company]生意红火。去年他来到这里。[王明|Person]说。")


def test_byline_and_role():
    article, mentions = marked("[新华日报|Organization]讯 记者[李四|Person]报道，[宏达公司|Company]负责人[陈立|Person]表示。",
                               authors=("李四",), publisher="新华日报")
    found = {(r.subject, r.prop, r.object): r for r in extract_relations(mentions, article=article, rules=RULES)}
    assert found[("李四", "affiliatedWith", "新华日报")].provenance.role == "记者"
    assert found[("陈立", "affiliatedWith", "宏达公司")].provenance.role == "负责人"


def test_evidence_is_kept():
    article, mentions = marked("[中欧班列|Route]从[金华南站|Facility]出发。")
    (rel,) = [r for r in extract_relations(mentions, article=article, rules=RULES) if r.prop == "departsFrom"]
    p = rel.provenance
    assert (p.doc_id, p.rule, p.reported_on) == ("t", "route-departs-from", "2025-03-01")
    assert article.text[p.sentence.start:p.sentence.end] == p.sentence.text
    assert 0 < p.confidence <= 1


@pytest.mark.parametrize("raw,code", [
    ({"id": "x", "property": "livesIn", "subject": ["Person"], "object": ["City"], "where": "before"}, "E012"),
    ({"id": "x", "property": "via", "kind": "magic", "subject": ["Route"], "object": ["City"]}, "E013"),
    ({"id": "x", "property": "via", "subject": ["Train"], "object": ["City"], "where": "before"}, "E014"),
    ({"id": "x", "property": "via", "subject": ["Route"], "object": ["City"], "where": "before", "plain": ["Goods"]},
     "E014"),
    ({"id": "x", "property": "via", "subject": ["Route"], "object": ["City"], "where": "near"}, "E016"),
    ({"id": "x", "property": "via", "subject": ["Route"], "object": ["City"]}, "E017"),
    ({"id": "x", "property": "via", "subject": ["Route"], "object": ["City"], "patterns": ["{s}经过"]}, "E018"),
    ({"id": "x", "property": "via", "subject": ["Route"], "object": ["City"], "patterns": ["{go}{o}"]}, "E019"),
])
def test_bad_rules_say_what_is_wrong(raw, code):
    with pytest.raises(DataError, match=code):
        parse_rule(raw)


def test_every_core_property_has_a_rule():
    covered = {r.property for r in RULES} | {r.property_end for r in RULES if r.property_end}
    assert covered >= {"locatedIn", "partOf", "departsFrom", "destination", "via", "connects", "operatedBy",
                       "issuedBy", "appliesTo", "exportsTo", "affiliatedWith"}


# --- end to end, with the real pipeline -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pipeline():
    from kg.errors import ModelMissing
    from kg.extract import Extractor
    from kg.nlp.pipeline import load_pipeline

    try:
        nlp = load_pipeline()
    except ModelMissing:
        nlp = load_pipeline(statistical=False)
    return nlp, Extractor.load(nlp.get_pipe("kg_entities").gazetteer, ontology_dir())


def run(pipeline, text: str):
    nlp, extractor = pipeline
    article = Article("e2e", text, "e2e.txt", date="2024-06-30", sentences=split_sentences(text))
    return extractor(nlp(text), article)


@pytest.mark.parametrize("text,s,p,o", [
    ("记者在浙江义乌看到，商户们正忙着打包。", "义乌", "locatedIn", "浙江"),
    ("一趟满载日用品的中欧班列从义乌出发，驶往马德里。", "中欧班列", "departsFrom", "义乌"),
    ("满载小家电的中欧班列（金华—华沙）今天从金华南站发车。", "中欧班列（金华—华沙）", "destination", "华沙"),
    # a town that opens a zone's name is named too: it lies in the county before it, and the zone in it
    ("工厂设在安吉县天子湖镇工业园区，订单饱满。", "天子湖镇", "locatedIn", "安吉县"),
    ("工厂设在安吉县天子湖镇工业园区，订单饱满。", "天子湖镇工业园区", "locatedIn", "天子湖镇"),
])
def test_pipeline_end_to_end(pipeline, text, s, p, o):
    ex = run(pipeline, text)
    names = {k: {e.label, *e.aliases} for k, e in ex.entities.items()}
    assert any(r.prop == p and s in names[r.subject] and o in names[r.object] for r in ex.relations), ex.relations


def test_rule_switched_off_runs_only_when_asked(tmp_path):
    (tmp_path / "r.yml").write_text(
        "rules:\n"
        "  - {id: on-rule, property: locatedIn, subject: [Place], object: [Place], where: adjacent}\n"
        "  - {id: off-rule, property: via, subject: [Route], object: [Place], cues: [经], where: before,\n"
        "     enabled: false}\n", encoding="utf-8")
    assert [r.id for r in load_rules(tmp_path)] == ["on-rule"]
    assert [r.id for r in load_rules(tmp_path, every=True)] == ["on-rule", "off-rule"]
