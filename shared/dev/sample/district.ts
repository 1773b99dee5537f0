/**
 * The sample district: a deterministic, generated county (modelled on 阜平县, 保定市, 河北省) with
 * four departments, about 20,000 targets of the housing and construction bureau over ten towns
 * and twelve industries, about 120 inspectors, experts, an item list drawn from the seed plans and
 * a 2026 annual plan modelled on fuping-housing-2021 (five sector rounds at 3 %, key enterprises
 * 100 % / 2 %) plus one cross-department joint task. Everything comes from a seeded PRNG: the
 * same data on every run and machine. Names, phone numbers and e-mail addresses are fictitious
 * (phones use the never-assigned local prefix 0, mail the reserved example.gov.cn / example.com).
 */
import { makeUscc, type UsccKind } from '../../domain/uscc.js';
import type { Department, Expert, InspectionItem, Inspector, PlanBody, PlanTask, RiskClass, Target } from '../../domain/schemas.js';
import { Rng, shuffledQuota, quotas } from './random.js';

export const SAMPLE_SEED = 'suiji-sample-district-2026';
export const SAMPLE_MAIN_DEPT = 'fp-zjj';
export const SAMPLE_PLAN_ID = 'fp-zjj-2026';
export const SAMPLE_YEAR = 2026;
export const SAMPLE_TARGET_COUNT = 20_000;
export const SAMPLE_COORDINATOR_EMAIL = 'zjj.coordinator@example.gov.cn';
export const SAMPLE_LEADER_EMAIL = 'zjj.leader@example.gov.cn';
/** 阜平县 (GB/T 2260), positions 3–8 of the generated USCCs. */
const REGION = '130624';

// ---------------------------------------------------------------- geography and sector

/** Towns of the county with the share of targets registered there (percent). */
export const SAMPLE_TOWNS: readonly { name: string; share: number }[] = [
  { name: '阜平镇', share: 30 },
  { name: '城南庄镇', share: 11 },
  { name: '平阳镇', share: 9 },
  { name: '龙泉关镇', share: 8 },
  { name: '王林口镇', share: 8 },
  { name: '北果园镇', share: 8 },
  { name: '天生桥镇', share: 7 },
  { name: '台峪乡', share: 7 },
  { name: '大台乡', share: 6 },
  { name: '史家寨乡', share: 6 },
];
const TOWNS = SAMPLE_TOWNS.map((t) => t.name);
const SEAT = '阜平镇';

interface IndustrySpec {
  name: string;
  share: number;
  /** Share of 个体工商户 and of non-market entities among its targets. */
  individual: number;
  nonMarket: number;
  /** Relative weight for being a key enterprise (重点企业). */
  keyWeight: number;
  suffixes: readonly string[];
  individualSuffixes?: readonly string[];
  nonMarketSuffixes?: readonly string[];
}

/** The twelve industries of the housing and construction sector, with their share of the pool. */
export const SAMPLE_INDUSTRIES: readonly IndustrySpec[] = [
  { name: '建筑施工', share: 20, individual: 0, nonMarket: 0, keyWeight: 1.2, suffixes: ['建筑工程有限公司', '建设集团有限公司', '建筑安装工程有限公司', '建设工程有限公司'] },
  { name: '房地产开发', share: 8, individual: 0, nonMarket: 0, keyWeight: 1.2, suffixes: ['房地产开发有限公司', '置业有限公司', '房地产开发集团有限公司'] },
  { name: '物业服务', share: 10, individual: 0, nonMarket: 0, keyWeight: 1, suffixes: ['物业服务有限公司', '物业管理有限公司'] },
  { name: '工程监理', share: 5, individual: 0, nonMarket: 0, keyWeight: 1, suffixes: ['工程监理有限公司', '工程项目管理有限公司', '建设监理有限公司'] },
  { name: '工程造价咨询', share: 4, individual: 0, nonMarket: 0, keyWeight: 0.5, suffixes: ['工程造价咨询有限公司', '工程咨询有限公司'] },
  {
    name: '建设工程质量检测',
    share: 3,
    individual: 0,
    nonMarket: 0.1,
    keyWeight: 1.5,
    suffixes: ['建设工程质量检测有限公司', '工程检测技术有限公司'],
    nonMarketSuffixes: ['建设工程质量检测中心'],
  },
  { name: '预拌混凝土', share: 3, individual: 0, nonMarket: 0, keyWeight: 1.5, suffixes: ['商品混凝土有限公司', '新型建材有限公司', '混凝土有限公司'] },
  {
    name: '园林绿化',
    share: 8,
    individual: 0.15,
    nonMarket: 0.05,
    keyWeight: 0.5,
    suffixes: ['园林绿化工程有限公司', '园林景观工程有限公司'],
    individualSuffixes: ['苗木花卉种植部', '园林绿化工程部'],
    nonMarketSuffixes: ['园林绿化服务中心'],
  },
  { name: '燃气经营', share: 4, individual: 0.2, nonMarket: 0, keyWeight: 2, suffixes: ['燃气有限公司', '天然气有限公司', '液化石油气有限公司'], individualSuffixes: ['液化气供应站'] },
  { name: '房屋中介', share: 12, individual: 0.4, nonMarket: 0, keyWeight: 0.5, suffixes: ['房地产经纪有限公司', '房产营销策划有限公司'], individualSuffixes: ['房屋中介服务部'] },
  {
    name: '勘察设计',
    share: 5,
    individual: 0,
    nonMarket: 0.05,
    keyWeight: 1,
    suffixes: ['工程勘察设计有限公司', '建筑设计有限公司', '岩土工程勘察有限公司'],
    nonMarketSuffixes: ['勘察设计院'],
  },
  { name: '建筑装饰', share: 18, individual: 0.35, nonMarket: 0, keyWeight: 0.5, suffixes: ['装饰工程有限公司', '装饰装修工程有限公司'], individualSuffixes: ['装饰工程部', '装饰材料经销部'] },
];

export const RISK_MIX: Readonly<Record<RiskClass, number>> = { A: 60, B: 25, C: 10, D: 5 };
export const KEY_SHARE = 0.05;

// ---------------------------------------------------------------- name pools

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红鹏飞宇浩然子涵欣怡晨阳博文雪梅海燕春秋立新振华树森金凤俊峰晓东佳琪思远文静';
const BRAND_A = '华鑫宏恒泰兴永德金瑞丰盛隆嘉安和信诚富达益顺昌茂祥聚汇中通广大天新正明远鸿凯旭晟锦荣伟佳博腾耀辉润泽宇航弘宝元';
const BRAND_B = '源达泰盛丰祥兴业通利隆发昌顺成鑫宇润华信安康晟辉瑞诚宏鼎泽茂嘉恒创锦力方程基建远坤川岳峰林森';
const REGION_PREFIXES = ['阜平县', '阜平县', '阜平县', '保定', '河北', '阜平'];
const STREETS = ['中山路', '建设路', '人民路', '东环路', '西环路', '胭脂河路', '新华街', '文化街', '迎宾路', '滨河路', '工业路', '朝阳路'];

function personName(rng: Rng): string {
  const s = SURNAMES[rng.int(SURNAMES.length)]!;
  const g1 = GIVEN[rng.int(GIVEN.length)]!;
  return rng.chance(0.7) ? s + g1 + GIVEN[rng.int(GIVEN.length)]! : s + g1;
}

function brand(rng: Rng): string {
  const a = BRAND_A[rng.int(BRAND_A.length)]!;
  let b = BRAND_B[rng.int(BRAND_B.length)]!;
  if (b === a) b = BRAND_B[(BRAND_B.indexOf(b) + 1) % BRAND_B.length]!;
  return a + b;
}

// ---------------------------------------------------------------- departments

const person = (name: string, email: string, title?: string) => ({ name, email, ...(title ? { title } : {}) });

interface DeptSpec {
  id: string;
  short: string;
  name: string;
  presetId: string;
  /** Sections with their inspector count and the specialties each inspector of it holds. */
  sections: { name: string; inspectors: number; specialties: string[]; allTowns?: boolean }[];
}

const DEPTS: DeptSpec[] = [
  {
    id: 'fp-zjj',
    short: 'zjj',
    name: '阜平县住房和城乡建设局',
    presetId: 'fuping-housing-2021',
    sections: [
      { name: '办公室', inspectors: 2, specialties: ['综合管理'] },
      { name: '建筑市场管理股', inspectors: 11, specialties: ['建筑市场'] },
      { name: '质量安全监督站', inspectors: 12, specialties: ['建设工程安全', '工程质量'] },
      { name: '房地产市场管理股', inspectors: 9, specialties: ['房地产市场'] },
      { name: '物业管理股', inspectors: 8, specialties: ['物业管理'] },
      { name: '行政审批股', inspectors: 6, specialties: ['行政许可'] },
      { name: '城市建设管理股', inspectors: 6, specialties: ['燃气安全', '市政园林'] },
      { name: '综合执法队', inspectors: 8, specialties: ['建筑市场', '建设工程安全', '工程质量', '房地产市场'], allTowns: true },
    ],
  },
  {
    id: 'fp-scjg',
    short: 'scjg',
    name: '阜平县市场监督管理局',
    presetId: 'qinhuangdao-samr-2023',
    sections: [
      { name: '办公室', inspectors: 2, specialties: ['综合管理'] },
      { name: '信用监督管理股', inspectors: 5, specialties: ['企业信息公示'] },
      { name: '特种设备安全监察股', inspectors: 6, specialties: ['特种设备'] },
      { name: '市场规范管理股', inspectors: 5, specialties: ['市场规范'] },
      { name: '综合执法大队', inspectors: 6, specialties: ['企业信息公示', '特种设备', '市场规范'], allTowns: true },
    ],
  },
  {
    id: 'fp-yjj',
    short: 'yjj',
    name: '阜平县应急管理局',
    presetId: 'shijiazhuang-changan-2024',
    sections: [
      { name: '办公室', inspectors: 2, specialties: ['综合管理'] },
      { name: '危险化学品安全监督管理股', inspectors: 6, specialties: ['危险化学品', '安全生产'] },
      { name: '安全生产综合协调股', inspectors: 4, specialties: ['安全生产'] },
      { name: '应急管理综合行政执法队', inspectors: 6, specialties: ['安全生产', '危险化学品'], allTowns: true },
    ],
  },
  {
    id: 'fp-sthjj',
    short: 'sthjj',
    name: '保定市生态环境局阜平县分局',
    presetId: 'wuhai-housing-2019',
    sections: [
      { name: '办公室', inspectors: 2, specialties: ['综合管理'] },
      { name: '环境影响评价与排放管理股', inspectors: 5, specialties: ['环境影响评价'] },
      { name: '生态环境保护综合执法大队', inspectors: 9, specialties: ['环境影响评价', '大气污染防治'], allTowns: true },
    ],
  },
];

function departments(rng: Rng): Department[] {
  return DEPTS.map((d, i) => {
    const mail = (local: string) => `${d.short}.${local}@example.gov.cn`;
    const field = d.sections.filter((s) => s.name !== '办公室');
    return {
      id: d.id,
      name: d.name,
      // county bureaus (the environment bureau's 阜平县分局 included): the report forms say 县
      level: 'county',
      // fixed numbers (not from the PRNG, so the rest of the sample stays as it was)
      phone: `0312-0${500001 + i}`,
      presetId: d.presetId,
      sections: d.sections.map((s) => s.name),
      coordinators: [
        person(personName(rng), mail('coordinator'), '办公室 “双随机、一公开”工作协调员'),
        person(personName(rng), mail('coordinator2'), '办公室 协调员（B 角）'),
      ],
      leaders: [person(personName(rng), mail('leader'), '副局长（分管“双随机、一公开”工作）')],
      sectionHeads: field.map((s, i) => ({ ...person(personName(rng), mail(`head${i + 1}`), `${s.name}负责人`), section: s.name })),
      liaison: { ...person(personName(rng), mail('liaison'), '信息联络员'), phone: `0312-0${600001 + i}` },
    };
  });
}

// ---------------------------------------------------------------- items (一单)

type ItemSpec = Omit<InspectionItem, 'subjectDepartment' | 'guide'> & { guide?: string };

const ITEMS: ItemSpec[] = [
  // 阜平县住房和城乡建设局 — the five sectors of fuping-housing-2021
  {
    id: 'zjj-001', department: 'fp-zjj', section: '建筑市场管理股', name: '建筑业企业资质及市场行为检查',
    legalBasis: '《中华人民共和国建筑法》第十三条、《建筑业企业资质管理规定》第二十八条',
    content: '建筑业企业资质条件保持情况，是否存在超越资质等级承揽工程、出借资质等行为',
    methods: ['书面检查', '实地核查'], category: 'general', itemCategory: '建筑市场监督', specialties: ['建筑市场'],
  },
  {
    id: 'zjj-002', department: 'fp-zjj', section: '建筑市场管理股', name: '工程发包承包及施工许可行为检查',
    legalBasis: '《中华人民共和国建筑法》第七条、第二十四条、《建筑工程施工发包与承包违法行为认定查处管理办法》',
    content: '是否存在未取得施工许可擅自施工、违法发包、转包、违法分包及挂靠行为',
    methods: ['书面检查', '实地核查'], category: 'key', itemCategory: '建筑市场监督', specialties: ['建筑市场'],
  },
  {
    id: 'zjj-003', department: 'fp-zjj', section: '质量安全监督站', name: '施工现场安全生产条件检查',
    legalBasis: '《建设工程安全生产管理条例》第二十一条至第三十八条、《中华人民共和国安全生产法》',
    content: '施工单位安全生产责任制、安全生产许可证、专职安全生产管理人员配备及施工现场安全防护措施',
    methods: ['实地核查', '书面检查'], category: 'key', itemCategory: '建设工程安全', specialties: ['建设工程安全'],
  },
  {
    id: 'zjj-004', department: 'fp-zjj', section: '质量安全监督站', name: '危险性较大的分部分项工程安全管理检查',
    legalBasis: '《建设工程安全生产管理条例》第二十六条、《危险性较大的分部分项工程安全管理规定》',
    content: '专项施工方案编制、专家论证、交底及现场监督执行情况',
    methods: ['实地核查', '书面检查'], category: 'general', itemCategory: '建设工程安全', specialties: ['建设工程安全'],
  },
  {
    id: 'zjj-005', department: 'fp-zjj', section: '质量安全监督站', name: '工程建设强制性标准执行情况检查',
    legalBasis: '《建设工程质量管理条例》第十条、第二十八条、《实施工程建设强制性标准监督规定》',
    content: '建设、勘察、设计、施工、监理单位执行工程建设强制性标准情况',
    methods: ['实地核查', '书面检查', '委托专业机构'], category: 'general', itemCategory: '工程建设标准', specialties: ['工程质量'],
  },
  {
    id: 'zjj-006', department: 'fp-zjj', section: '建筑市场管理股', name: '建设工程质量检测及预拌混凝土质量行为检查',
    legalBasis: '《建设工程质量管理条例》第三十一条、《建设工程质量检测管理办法》',
    content: '检测机构资质及检测行为，预拌混凝土生产企业原材料进场检验和出厂质量',
    methods: ['实地核查', '书面检查', '委托专业机构'], category: 'key', itemCategory: '工程建设标准', specialties: ['建筑市场'],
  },
  {
    id: 'zjj-007', department: 'fp-zjj', section: '房地产市场管理股', name: '房地产开发企业经营行为检查',
    legalBasis: '《中华人民共和国城市房地产管理法》、《城市房地产开发经营管理条例》第二十一条至第二十六条',
    content: '开发企业资质、商品房预售许可、预售资金监管及销售行为',
    methods: ['书面检查', '实地核查'], category: 'general', itemCategory: '房地产市场监督', specialties: ['房地产市场'],
  },
  {
    id: 'zjj-008', department: 'fp-zjj', section: '房地产市场管理股', name: '房地产经纪机构经营行为检查',
    legalBasis: '《中华人民共和国城市房地产管理法》第五十八条、《房地产经纪管理办法》',
    content: '经纪机构备案、服务收费明码标价、经纪合同及交易资金监管',
    methods: ['书面检查', '实地核查', '网络监测'], category: 'general', itemCategory: '房地产市场监督', specialties: ['房地产市场'],
  },
  {
    id: 'zjj-009', department: 'fp-zjj', section: '物业管理股', name: '物业服务企业服务行为检查',
    legalBasis: '《物业管理条例》第三十四条至第四十一条、《河北省物业管理条例》',
    content: '物业服务合同履行、收费公示、共用部位经营收益公开及承接查验情况',
    methods: ['书面检查', '实地核查'], category: 'general', itemCategory: '房地产市场监督', specialties: ['物业管理'],
  },
  {
    id: 'zjj-010', department: 'fp-zjj', section: '行政审批股', name: '建筑业企业资质许可事项事后检查',
    legalBasis: '《中华人民共和国行政许可法》第六十一条、《建筑业企业资质管理规定》第二十四条',
    content: '取得资质后是否持续符合资质标准，人员、业绩与申报材料是否一致',
    methods: ['书面检查', '实地核查'], category: 'general', itemCategory: '建设领域许可监督', specialties: ['行政许可'],
  },
  {
    id: 'zjj-011', department: 'fp-zjj', section: '城市建设管理股', name: '燃气经营许可事项事后检查',
    legalBasis: '《城镇燃气管理条例》第十五条、第十八条、《燃气经营许可管理办法》',
    content: '燃气经营许可条件保持情况、气源、储存设施及从业人员资格',
    methods: ['实地核查', '书面检查'], category: 'key', itemCategory: '建设领域许可监督', specialties: ['燃气安全'],
  },
  {
    id: 'zjj-012', department: 'fp-zjj', section: '行政审批股', name: '工程勘察设计资质许可事项事后检查',
    legalBasis: '《建设工程勘察设计管理条例》第八条、《建设工程勘察设计资质管理规定》',
    content: '勘察设计企业资质条件保持情况及注册执业人员在岗情况',
    methods: ['书面检查'], category: 'general', itemCategory: '建设领域许可监督', specialties: ['行政许可'],
  },
  {
    id: 'zjj-013', department: 'fp-zjj', section: '城市建设管理股', name: '燃气经营企业经营行为检查',
    legalBasis: '《城镇燃气管理条例》第十八条至第二十条',
    content: '向用户供气、入户安全检查、瓶装燃气配送及安全警示标志设置情况',
    methods: ['实地核查'], category: 'general', itemCategory: '城镇燃气', specialties: ['燃气安全'],
  },
  // 阜平县市场监督管理局
  {
    id: 'scjg-001', department: 'fp-scjg', section: '特种设备安全监察股', name: '气瓶充装单位特种设备安全检查',
    legalBasis: '《中华人民共和国特种设备安全法》第四十九条、《气瓶安全技术规程》',
    content: '充装许可、充装前后检查记录、气瓶追溯信息及作业人员持证情况',
    methods: ['实地核查', '书面检查'], category: 'key', itemCategory: '特种设备安全', specialties: ['特种设备'],
  },
  {
    id: 'scjg-002', department: 'fp-scjg', section: '信用监督管理股', name: '企业公示信息情况检查',
    legalBasis: '《企业信息公示暂行条例》第十四条、《市场监督管理行政处罚程序规定》',
    content: '企业年度报告及即时公示信息的真实性、及时性',
    methods: ['书面检查', '网络监测'], category: 'general', itemCategory: '企业信息公示', specialties: ['企业信息公示'],
  },
  // 阜平县应急管理局
  {
    id: 'yjj-001', department: 'fp-yjj', section: '危险化学品安全监督管理股', name: '燃气经营企业安全生产主体责任落实情况检查',
    legalBasis: '《中华人民共和国安全生产法》第二十一条、第四十一条、《危险化学品安全管理条例》',
    content: '安全生产责任制、隐患排查治理、应急预案及演练、从业人员安全培训',
    methods: ['实地核查', '书面检查'], category: 'key', itemCategory: '安全生产', specialties: ['安全生产'],
  },
  {
    id: 'yjj-002', department: 'fp-yjj', section: '安全生产综合协调股', name: '建筑施工企业安全生产教育培训情况检查',
    legalBasis: '《中华人民共和国安全生产法》第二十八条',
    content: '主要负责人、安全管理人员及特种作业人员培训考核记录',
    methods: ['书面检查'], category: 'general', itemCategory: '安全生产', specialties: ['安全生产'],
  },
  // 保定市生态环境局阜平县分局
  {
    id: 'sthjj-001', department: 'fp-sthjj', section: '环境影响评价与排放管理股', name: '建设项目环境影响评价制度执行情况检查',
    legalBasis: '《中华人民共和国环境影响评价法》第二十五条、《建设项目环境保护管理条例》',
    content: '环评审批（备案）手续、环保设施“三同时”及竣工环境保护验收情况',
    methods: ['书面检查', '实地核查'], category: 'general', itemCategory: '环境影响评价', specialties: ['环境影响评价'],
  },
  {
    id: 'sthjj-002', department: 'fp-sthjj', section: '生态环境保护综合执法大队', name: '施工扬尘污染防治检查',
    legalBasis: '《中华人民共和国大气污染防治法》第六十九条、《河北省大气污染防治条例》',
    content: '施工工地围挡、物料覆盖、土方作业洒水降尘及车辆冲洗措施',
    methods: ['实地核查', '网络监测'], category: 'key', itemCategory: '大气污染防治', specialties: ['大气污染防治'],
  },
];

function items(depts: Department[]): InspectionItem[] {
  const name = new Map(depts.map((d) => [d.id, d.name]));
  return ITEMS.map((i) => ({
    ...i,
    subjectDepartment: name.get(i.department)!,
    guide: i.guide ?? `按照《${name.get(i.department)}随机抽查工作指引》开展：抽取后通知检查对象，一次性告知检查事项和所需材料；检查人员不少于 2 人，如实填写“一企一表”。`,
  }));
}

// ---------------------------------------------------------------- inspectors and experts (两库)

/**
 * Towns an inspector of a section covers: field sections spread their members over the towns so
 * that every town has members of every field section; about two thirds also cover the county seat
 * (阜平镇, where a third of the targets are); teams of `allTowns` sections cover the whole county.
 */
function townsFor(section: DeptSpec['sections'][number], j: number): string[] {
  if (section.allTowns) return [...TOWNS];
  const others = TOWNS.filter((t) => t !== SEAT);
  const per = 3;
  const out = new Set<string>();
  if (j % 3 !== 2) out.add(SEAT);
  for (let m = 0; m < per; m++) out.add(others[(j * per + m) % others.length]!);
  return [...out];
}

function inspectors(rng: Rng, targets: Target[]): Inspector[] {
  const out: Inspector[] = [];
  const usedNames = new Set<string>();
  for (const d of DEPTS) {
    let n = 0;
    for (const s of d.sections) {
      for (let j = 0; j < s.inspectors; j++) {
        n++;
        let name = personName(rng);
        while (usedNames.has(name)) name = personName(rng);
        usedNames.add(name);
        const id = `${d.id}-i${String(n).padStart(3, '0')}`;
        // Certificates: most valid through 2027–2029; a few in slack sections expire mid-2026.
        const expiresMidYear = (s.name === '综合执法队' || s.name === '综合执法大队' || s.name === '生态环境保护综合执法大队') && j === s.inspectors - 1;
        const expiry = expiresMidYear ? '2026-06-30' : `${2027 + rng.int(3)}-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')}`;
        out.push({
          id,
          department: d.id,
          section: s.name,
          name,
          jurisdictions: s.name === '办公室' ? [SEAT] : townsFor(s, j),
          specialties: [...s.specialties],
          certificateNo: `冀执字${REGION}${d.short.toUpperCase()}${String(n).padStart(4, '0')}`,
          certificateExpiry: expiry,
          email: `${d.short}.i${String(n).padStart(3, '0')}@example.gov.cn`,
          phone: `0312-0${String(100000 + rng.int(900000))}`,
          active: true,
          conflicts: [],
          tags: s.allTowns ? ['综合执法'] : [],
          mailStatus: 'ok',
        });
      }
    }
  }
  // A few declared conflicts of interest (relatives, former employers) with targets of the pool.
  const zjj = out.filter((i) => i.department === SAMPLE_MAIN_DEPT && i.section !== '办公室');
  for (let k = 0; k < 6 && targets.length; k++) {
    const insp = zjj[(k * 7) % zjj.length]!;
    const t = targets[rng.int(targets.length)]!;
    if (!insp.conflicts.includes(t.uscc)) insp.conflicts.push(t.uscc);
  }
  // One inspector on long leave (not active).
  const leave = out.find((i) => i.department === 'fp-sthjj' && i.section === '环境影响评价与排放管理股');
  if (leave) leave.active = false;
  return out;
}

function experts(rng: Rng): Expert[] {
  const rows: [string, string, string[]][] = [
    ['fp-zjj', '保定市建筑设计研究院（示例）', ['工程质量', '工程建设标准']],
    ['fp-zjj', '河北省建设工程质量检测协会专家库（示例）', ['工程质量', '建设工程质量检测']],
    ['fp-zjj', '保定市安全生产技术服务中心（示例）', ['建设工程安全']],
    ['fp-zjj', '保定市燃气行业协会（示例）', ['燃气安全']],
    ['fp-zjj', '阜平县房地产估价事务所（示例）', ['房地产市场']],
    ['fp-scjg', '保定市特种设备检验检测研究院（示例）', ['特种设备']],
    ['fp-yjj', '河北省安全生产专家库（示例）', ['安全生产', '危险化学品']],
    ['fp-sthjj', '保定市环境监测站（示例）', ['环境影响评价', '大气污染防治']],
  ];
  return rows.map(([department, organisation, specialties], i) => ({
    id: `${department}-e${String(i + 1).padStart(2, '0')}`,
    department,
    name: personName(rng),
    organisation,
    specialties,
    email: `expert${String(i + 1).padStart(2, '0')}@example.com`,
    phone: `0312-0${String(100000 + rng.int(900000))}`,
    active: true,
  }));
}

// ---------------------------------------------------------------- targets (检查对象名录库)

export const SAMPLE_TARGET_TAGS = ['在建工程', '投诉举报', '经营异常名录', '新设立'] as const;

function targets(rng: Rng, n: number): Target[] {
  const industryOf = shuffledQuota(rng, n, SAMPLE_INDUSTRIES, SAMPLE_INDUSTRIES.map((i) => i.share));
  const townOf = shuffledQuota(rng, n, TOWNS, SAMPLE_TOWNS.map((t) => t.share));
  const riskOf = shuffledQuota<RiskClass>(rng, n, ['A', 'B', 'C', 'D'], [RISK_MIX.A, RISK_MIX.B, RISK_MIX.C, RISK_MIX.D]);
  // Key enterprises: exactly 5 %, weighted towards industries with more risk (weighted sampling
  // without replacement: the n_key largest u^(1/w)).
  const kinds: ('enterprise' | 'individual' | 'non-market')[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const spec = industryOf[i]!;
    const r = rng.next();
    kinds[i] = r < spec.individual ? 'individual' : r < spec.individual + spec.nonMarket ? 'non-market' : 'enterprise';
  }
  const keyScore = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = kinds[i] === 'enterprise' ? industryOf[i]!.keyWeight : 0.1 * industryOf[i]!.keyWeight;
    keyScore[i] = Math.log(rng.next() + 1e-12) / w;
  }
  const nKey = quotas(n, [KEY_SHARE, 1 - KEY_SHARE])[0]!;
  const byScore = Array.from({ length: n }, (_, i) => i).sort((a, b) => keyScore[b]! - keyScore[a]! || a - b);
  const isKey = new Uint8Array(n);
  for (let k = 0; k < nKey; k++) isKey[byScore[k]!] = 1;

  const names = new Set<string>();
  const out: Target[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const spec = industryOf[i]!;
    const town = townOf[i]!;
    const kind = kinds[i]!;
    let name = '';
    for (let attempt = 0; ; attempt++) {
      if (kind === 'individual') {
        name = `阜平县${town.replace(/[镇乡]$/, '')}${brand(rng)}${rng.pick(spec.individualSuffixes ?? spec.suffixes)}`;
      } else if (kind === 'non-market') {
        name = `阜平县${brand(rng)}${rng.pick(spec.nonMarketSuffixes ?? spec.suffixes)}`;
      } else {
        name = `${rng.pick(REGION_PREFIXES)}${brand(rng)}${rng.pick(spec.suffixes)}`;
      }
      if (attempt > 20) name = name.replace(/(有限公司|部|站|中心|院)$/, `第${attempt - 19}分公司`);
      if (!names.has(name)) break;
    }
    names.add(name);
    const usccKind: UsccKind = kind === 'individual' ? 'individual' : kind === 'non-market' ? (spec.name === '勘察设计' ? 'social-organization' : 'public-institution') : 'enterprise';
    const tags: string[] = [];
    if (spec.name === '建筑施工' && rng.chance(0.4)) tags.push('在建工程');
    if (rng.chance(0.03)) tags.push('投诉举报');
    if (rng.chance(0.02)) tags.push('经营异常名录');
    if (rng.chance(0.05)) tags.push('新设立');
    const r = rng.next();
    out[i] = {
      uscc: makeUscc(100_000 + i * 17, { kind: usccKind, region: REGION }),
      name,
      kind,
      department: SAMPLE_MAIN_DEPT,
      jurisdiction: town,
      industry: spec.name,
      tags,
      riskClass: riskOf[i]!,
      isKey: isKey[i] === 1,
      status: r < 0.975 ? 'active' : r < 0.99 ? 'inactive' : 'deregistered',
      contact: {
        person: personName(rng),
        phone: `0312-0${String(100000 + rng.int(900000))}`,
        ...(kind === 'enterprise' && rng.chance(0.3) ? { email: `contact${String(i + 1).padStart(5, '0')}@example.com` } : {}),
        address: `河北省保定市阜平县${town}${rng.pick(STREETS)}${1 + rng.int(299)}号`,
      },
      lastInspections: [],
    };
  }
  return out;
}

// ---------------------------------------------------------------- the 2026 annual plan

const ALL: RiskClass[] = ['A', 'B', 'C', 'D'];
const flat = (bp: number) => ({ A: bp, B: bp, C: bp, D: bp });

function round(
  n: number,
  o: Pick<PlanTask, 'name' | 'leadSection' | 'window' | 'drawDate' | 'keyRatioBp' | 'legalBasis'> & {
    general: string[];
    key: string[];
    industries: string[];
    jointSections?: string[];
    inspectorSections: string[];
    notes?: string;
  },
): PlanTask {
  return {
    taskId: `${SAMPLE_PLAN_ID}-${String(n).padStart(2, '0')}`,
    name: o.name,
    leadSection: o.leadSection,
    jointSections: o.jointSections ?? [],
    jointDepartments: [],
    category: '不定向抽查',
    items: { general: o.general, key: o.key },
    scope: { jurisdictions: [], industries: o.industries, tags: [], kinds: [], riskClasses: [...ALL] },
    legalBasis: o.legalBasis,
    window: o.window,
    drawDate: o.drawDate,
    ratiosBp: flat(300),
    keyRatioBp: o.keyRatioBp,
    inspectorScope: { departments: [SAMPLE_MAIN_DEPT], sections: o.inspectorSections, specialties: [] },
    creditRiskBased: false,
    ...(o.notes ? { notes: o.notes } : {}),
  };
}

export function samplePlan(): PlanBody {
  const tasks: PlanTask[] = [
    round(1, {
      name: '2026年第一次随机抽查（建筑市场监督）',
      leadSection: '建筑市场管理股',
      general: ['zjj-001'],
      key: ['zjj-002'],
      industries: ['建筑施工', '工程监理', '勘察设计'],
      legalBasis: '《中华人民共和国建筑法》《建筑业企业资质管理规定》《建筑工程施工发包与承包违法行为认定查处管理办法》',
      window: { start: '2026-01-05', end: '2026-04-15' },
      drawDate: '2026-01-12',
      keyRatioBp: 10_000,
      inspectorSections: ['建筑市场管理股', '综合执法队'],
      notes: '按 3% 的比例抽查；重点企业按 100% 的比例抽查（1-4 月）',
    }),
    round(2, {
      name: '2026年第二次随机抽查（建设工程安全）',
      leadSection: '质量安全监督站',
      general: ['zjj-004'],
      key: ['zjj-003'],
      industries: ['建筑施工', '预拌混凝土'],
      legalBasis: '《建设工程安全生产管理条例》《中华人民共和国安全生产法》《危险性较大的分部分项工程安全管理规定》',
      window: { start: '2026-04-16', end: '2026-06-15' },
      drawDate: '2026-04-20',
      keyRatioBp: 200,
      inspectorSections: ['质量安全监督站', '综合执法队'],
      notes: '按 3% 的比例抽查；重点企业按 2% 的比例抽查（4-6 月），随所属信用风险分类抽取',
    }),
    round(3, {
      name: '2026年第三次内部联合随机抽查（工程建设标准）',
      leadSection: '质量安全监督站',
      jointSections: ['建筑市场管理股'],
      general: ['zjj-005'],
      key: ['zjj-006'],
      industries: ['建设工程质量检测', '预拌混凝土', '工程监理'],
      legalBasis: '《建设工程质量管理条例》《实施工程建设强制性标准监督规定》《建设工程质量检测管理办法》',
      window: { start: '2026-06-16', end: '2026-08-14' },
      drawDate: '2026-06-18',
      keyRatioBp: 10_000,
      inspectorSections: ['质量安全监督站', '建筑市场管理股'],
      notes: '部门内部联合抽查；重点企业按 100% 的比例抽查（6-8 月）',
    }),
    round(4, {
      name: '2026年第四次内部联合随机抽查（房地产市场监督）',
      leadSection: '房地产市场管理股',
      jointSections: ['物业管理股'],
      general: ['zjj-007', 'zjj-008', 'zjj-009'],
      key: [],
      industries: ['房地产开发', '物业服务'],
      legalBasis: '《中华人民共和国城市房地产管理法》《城市房地产开发经营管理条例》《房地产经纪管理办法》《物业管理条例》',
      window: { start: '2026-08-17', end: '2026-10-16' },
      drawDate: '2026-08-19',
      keyRatioBp: 10_000,
      inspectorSections: ['房地产市场管理股', '物业管理股'],
      notes: '部门内部联合抽查；重点企业按 100% 的比例抽查（8-10 月）',
    }),
    round(5, {
      name: '2026年第五次内部联合随机抽查（建设领域许可监督）',
      leadSection: '行政审批股',
      jointSections: ['城市建设管理股'],
      general: ['zjj-010', 'zjj-012'],
      key: ['zjj-011'],
      industries: ['勘察设计', '燃气经营', '工程造价咨询'],
      legalBasis: '《中华人民共和国行政许可法》《建设工程勘察设计管理条例》《城镇燃气管理条例》',
      window: { start: '2026-10-19', end: '2026-12-15' },
      drawDate: '2026-10-21',
      keyRatioBp: 10_000,
      inspectorSections: ['行政审批股', '城市建设管理股'],
      notes: '部门内部联合抽查；重点企业按 100% 的比例抽查（10-12 月）',
    }),
    {
      taskId: `${SAMPLE_PLAN_ID}-06`,
      name: '2026年城镇燃气经营企业跨部门联合抽查',
      leadSection: '城市建设管理股',
      jointSections: [],
      jointDepartments: [SAMPLE_MAIN_DEPT, 'fp-scjg', 'fp-yjj'],
      category: '定向抽查',
      items: { general: ['zjj-013'], key: ['scjg-001', 'yjj-001'] },
      scope: { jurisdictions: [], industries: ['燃气经营'], tags: [], kinds: [], riskClasses: [...ALL] },
      legalBasis: '《城镇燃气管理条例》《中华人民共和国特种设备安全法》《中华人民共和国安全生产法》',
      window: { start: '2026-05-11', end: '2026-09-30' },
      drawDate: '2026-05-13',
      ratiosBp: { A: 500, B: 1000, C: 2000, D: 3000 },
      keyRatioBp: 10_000,
      inspectorScope: {
        departments: [SAMPLE_MAIN_DEPT, 'fp-scjg', 'fp-yjj'],
        sections: ['城市建设管理股', '特种设备安全监察股', '综合执法大队', '危险化学品安全监督管理股', '应急管理综合行政执法队'],
        specialties: [],
      },
      creditRiskBased: true,
      notes: '住建、市场监管、应急管理三部门联合，按信用风险分类差异化抽查，重点企业全覆盖',
    },
  ];
  return { title: '阜平县住房和城乡建设局2026年度“双随机、一公开”抽查工作计划', year: SAMPLE_YEAR, tasks };
}

// ---------------------------------------------------------------- the whole district

export interface SampleDistrict {
  departments: Department[];
  /** Department id → its preset and the overrides stored for it (none: the presets as shipped). */
  profiles: Record<string, { presetId: string; overrides: Record<string, unknown> }>;
  items: InspectionItem[];
  targets: Target[];
  inspectors: Inspector[];
  experts: Expert[];
  /** Tag library per department. */
  tags: { department: string; kind: 'target' | 'inspector'; tag: string }[];
  plan: { planId: string; department: string; body: PlanBody };
}

export function sampleDistrict(opts: { targets?: number } = {}): SampleDistrict {
  const rng = new Rng(SAMPLE_SEED);
  const depts = departments(rng);
  const tgt = targets(new Rng(`${SAMPLE_SEED}:targets`), opts.targets ?? SAMPLE_TARGET_COUNT);
  const insp = inspectors(new Rng(`${SAMPLE_SEED}:inspectors`), tgt);
  return {
    departments: depts,
    profiles: Object.fromEntries(DEPTS.map((d) => [d.id, { presetId: d.presetId, overrides: {} }])),
    items: items(depts),
    targets: tgt,
    inspectors: insp,
    experts: experts(rng),
    tags: [
      ...SAMPLE_TARGET_TAGS.map((tag) => ({ department: SAMPLE_MAIN_DEPT, kind: 'target' as const, tag })),
      ...DEPTS.map((d) => ({ department: d.id, kind: 'inspector' as const, tag: '综合执法' })),
    ],
    plan: { planId: SAMPLE_PLAN_ID, department: SAMPLE_MAIN_DEPT, body: samplePlan() },
  };
}

export { loadSampleDistrict, type SampleLoadResult } from './load.js';
